from django.urls import path

from sira.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("region/<str:code>/", views.region_overview, name="region"),
    path("csv/<str:key>/", views.panel_csv, name="csv"),
    path("map/", views.map_page, name="map"),
]
