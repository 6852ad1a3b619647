from django.contrib import admin

from .models import ToRVersion

# Meetings, invitations, agendas and Chair appointments are not in the admin: the first are
# confidential (ToR rule 14) and the CSP President appoints the Chair in the application
# (rule 4), so a technical administrator (superuser) can neither read them nor make itself Chair.


@admin.register(ToRVersion)
class ToRVersionAdmin(admin.ModelAdmin):
    """A new ToR version is added when the CSP amends the ToR; one that governs a meeting is frozen."""

    list_display = ("name", "in_force_from", "invitation_days", "draft_agenda_days", "max_meetings_per_year")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.meeting_set.exists())

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.meeting_set.exists())
