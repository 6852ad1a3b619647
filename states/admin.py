from django.contrib import admin

from .models import State, TreatyEvent
from .registry import states_changed


class TreatyEventInline(admin.TabularInline):
    model = TreatyEvent
    extra = 0


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    """The Secretariat corrects a State's treaty status here; meeting access follows (rule 6)."""

    list_display = ("name", "iso3", "region")
    search_fields = ("name", "iso3")
    list_filter = ("region",)
    inlines = [TreatyEventInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        states_changed()
