"""Django admin for the system admin (IT): orgs, people and grants.

Domain records (campaigns, projects) are edited in the app, through the services; the admin
here covers what IT owns: accounts, the org tree and who holds which role where.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Membership, Org, Person
from .services import pinyin_key


@admin.register(Org)
class OrgAdmin(TreeAdmin):
    form = movenodeform_factory(Org, exclude=["name_pinyin"])
    list_display = ("name", "short_name", "kind", "code")
    search_fields = ("name", "short_name", "code")

    def save_model(self, request, obj, form, change):
        obj.name_pinyin = pinyin_key(obj.name)
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Orgs own records (PROTECT); removing one is a data migration, not a click.
        return False


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("name", "staff_no", "org", "political_status", "position", "user", "deleted_at")
    list_filter = ("political_status", "deleted_at")
    search_fields = ("name", "name_pinyin", "staff_no")
    autocomplete_fields = ("org", "user")
    readonly_fields = ("deleted_at", "deleted_by")

    def get_queryset(self, request):
        return Person.all_objects.select_related("org", "user")

    def save_model(self, request, obj, form, change):
        obj.name_pinyin = pinyin_key(obj.name)
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "org", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "org__name")
    autocomplete_fields = ("user", "org")
