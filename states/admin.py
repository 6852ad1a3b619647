from django.contrib import admin

from .models import State, TreatyEvent
from .registry import states_changed


class TreatyEventInline(admin.TabularInline):
    """Shown, never edited here: a State's treaty history decides whether it is eligible
    (ToR rule 6) and so what it sees, which no single person changes in the admin. Corrections
    come through ``manage.py import_states`` on the server, from the corrected file."""

    model = TreatyEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "date", "consent_type")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    """States and their treaty history, for reference. Names and regions may be corrected here;
    the treaty history (and so eligibility, ToR rule 6) changes only through ``import_states``."""

    list_display = ("name", "iso3", "region")
    search_fields = ("name", "iso3")
    list_filter = ("region",)
    inlines = [TreatyEventInline]

    def get_readonly_fields(self, request, obj=None):
        return ("iso3",) if obj is not None else ()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        states_changed()
