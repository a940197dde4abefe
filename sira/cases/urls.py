from django.urls import path

from sira.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("export.csv", views.case_export, name="export"),
    path("emergency-access/", views.emergency_access, name="emergency_access"),
    path("access-reviews/", views.access_reviews, name="access_reviews"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/erase/", views.case_erase, name="erase"),
    path("<int:pk>/exploitations/new/", views.exploitation_edit, name="exploitation_add"),
    path("<int:pk>/exploitations/<int:exploitation_pk>/", views.exploitation_edit, name="exploitation_edit"),
    path("<int:pk>/route/new/", views.route_edit, name="route_add"),
    path("<int:pk>/route/<int:stop_pk>/", views.route_edit, name="route_edit"),
    path("<int:pk>/<str:part>/<int:part_pk>/remove/", views.part_remove, name="part_remove"),
    path("<int:pk>/consents/<str:purpose>/", views.consent_record, name="consent_record"),
    path("<int:pk>/consents/<int:consent_pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/follow-up/", views.case_followup, name="followup"),
    path("<int:pk>/sharing/", views.case_sharing, name="sharing"),
    path("<int:pk>/sharing/<int:grant_pk>/revoke/", views.grant_revoke, name="grant_revoke"),
]
