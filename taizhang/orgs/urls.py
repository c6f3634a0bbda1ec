from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("<int:org_id>/children/", views.org_children, name="org_children"),
    path("people/search/", views.person_search, name="person_search"),
]
