from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<int:job_id>/", views.job_detail, name="job_detail"),
    path("<int:job_id>/status/", views.job_status, name="job_status"),
    path("<int:job_id>/download/", views.job_download, name="job_download"),
]
