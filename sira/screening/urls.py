from django.urls import path

from sira.screening import case_links, views

app_name = "screening"
urlpatterns = [
    path("", views.screening_list, name="list"),
    path("new/", views.screening_new, name="new"),
    path("<int:pk>/questions/", views.screening_questions, name="questions"),
    path("<int:pk>/", views.screening_result, name="result"),
    path("<int:pk>/determination/", views.screening_determine, name="determine"),
    path("<int:pk>/attach/", views.screening_attach, name="attach"),
    path("<int:pk>/promote/", case_links.promote, name="promote"),
    path("xlsform.xlsx", views.xlsform_download, name="xlsform"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/step/", views.import_step, name="import_step"),
]
