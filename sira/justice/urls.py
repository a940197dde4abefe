from django.urls import path

from sira.justice import views

app_name = "justice"
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.catalogue, name="catalogue"),
    path("suspects/search/", views.suspect_search, name="suspect_search"),
    path("investigations/new/", views.investigation_new, name="investigation_new"),
    path("investigations/<int:pk>/", views.investigation_detail, name="investigation"),
    path("investigations/<int:pk>/close/", views.investigation_close, name="investigation_close"),
    path("investigations/<int:pk>/suspects/new/", views.suspect_new, name="suspect_new"),
    path("investigations/<int:pk>/prosecutions/new/", views.prosecution_new, name="prosecution_new"),
    path("prosecutions/<int:pk>/", views.prosecution_detail, name="prosecution"),
    path("prosecutions/<int:pk>/charges/new/", views.charge_new, name="charge_new"),
    path("prosecutions/<int:pk>/hearings/new/", views.hearing_new, name="hearing_new"),
    path("prosecutions/<int:pk>/verdict/", views.verdict, name="verdict"),
    path("prosecutions/<int:pk>/appeals/new/", views.appeal_new, name="appeal_new"),
]
