from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="endpoint_list"),
    path("<int:endpoint_id>/", views.endpoint_detail, name="endpoint_detail"),
    path("<int:endpoint_id>/test/", views.endpoint_test, name="endpoint_test"),
    path("<int:endpoint_id>/secret/", views.endpoint_rotate, name="endpoint_rotate"),
    path("<int:endpoint_id>/delete/", views.endpoint_delete, name="endpoint_delete"),
    path("deliveries/<int:delivery_id>/retry/", views.delivery_retry, name="delivery_retry"),
]
