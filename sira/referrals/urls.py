from django.urls import path

from sira.referrals import views

app_name = "referrals"
urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("directory/<int:pk>/places/", views.offering_places, name="places"),
    path("map/", views.service_map, name="map"),
    path("map/boundaries.geojson", views.boundaries, name="boundaries"),
    path("map/services.geojson", views.services_geojson, name="services_geojson"),
    path("new/<int:case_pk>/", views.referral_new, name="new"),
    path("incoming/", views.referral_list, {"box": "incoming"}, name="incoming"),
    path("sent/", views.referral_list, {"box": "sent"}, name="sent"),
    path("review/", views.referral_list, {"box": "review"}, name="review"),
    path("notifications/", views.notifications, name="notifications"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/tasks/", views.task_add, name="task_add"),
    path("<int:pk>/tasks/<int:task_pk>/done/", views.task_done, name="task_done"),
    path("<int:pk>/<str:action>/", views.referral_action, name="action"),
]
