from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User
from .services import sync_groups


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts and roles; the technical administrator opens no confidential content here."""

    list_display = ("username", "email", "role", "state", "participant_role", "is_active")
    list_filter = ("role", "participant_role", "is_active")
    search_fields = ("username", "email", "first_name", "last_name")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Forum"), {"fields": ("role", "state", "participant_role", "language", "time_zone")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Forum"), {"fields": ("email", "role", "state", "participant_role")}),
    )
    autocomplete_fields = ("state",)
    filter_horizontal = ()

    def get_fieldsets(self, request, obj=None):
        sets = super().get_fieldsets(request, obj)
        # Group and permission membership follow the role; they are not edited by hand.
        return [
            (n, {**o, "fields": tuple(f for f in o["fields"] if f not in ("groups", "user_permissions"))})
            for n, o in sets
        ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sync_groups(form.instance)
