"""Read-only admin views of campaign data: edits go through the app's services, so the
lead-must-be-a-member rule, transitions and history cannot be bypassed here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Campaign, Project, ProjectTransition


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("name", "org", "year", "cadence", "deleted_at")

    def get_queryset(self, request):
        return Campaign.all_objects.select_related("org")


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "org", "lead", "status", "deleted_at")
    list_filter = ("status",)
    search_fields = ("code", "title")

    def get_queryset(self, request):
        return Project.all_objects.select_related("org", "lead")


@admin.register(ProjectTransition)
class ProjectTransitionAdmin(admin.ModelAdmin):
    list_display = ("project", "action", "from_status", "to_status", "actor", "at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
