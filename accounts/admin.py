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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            # Nobody gives themselves a role, a State or other powers (no self-escalation).
            fields += ["role", "state", "participant_role", "is_superuser", "is_staff", "is_active"]
        return fields

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sync_groups(form.instance)
