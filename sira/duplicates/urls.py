from django.urls import path

from sira.duplicates import views

app_name = "duplicates"
urlpatterns = [
    path("cases/<int:case_pk>/ask/<int:org_pk>/", views.ask, name="ask"),
    path("cases/<int:pk>/merge/<int:other_pk>/", views.merge, name="merge"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/<str:answer>/", views.request_answer, name="answer"),
]
