from django.urls import path

from sira.coordination import views

app_name = "coordination"
urlpatterns = [
    path("", views.home, name="home"),
    path("plans/import/", views.plan_import, name="plan_import"),
    path("plans/template.xlsx", views.plan_template, name="plan_template"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/report/", views.activity_report, name="report"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("decisions/<int:pk>/close/", views.decision_close, name="decision_close"),
    path("directory/", views.directory, name="directory"),
    path("directory/actors/new/", views.actor_new, name="actor_new"),
    path("directory/projects/new/", views.project_new, name="project_new"),
    path("map/", views.coordination_map, name="map"),
    path("map/points.geojson", views.map_geojson, name="map_geojson"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("monitoring/", views.monitoring, name="monitoring"),
]
