from django.contrib import admin

from .models import ChairAppointment, ToRVersion

# Meetings, invitations and their documents are confidential (ToR rule 14): they are not in
# the admin, so a technical administrator (superuser) reaches none of them.


@admin.register(ToRVersion)
class ToRVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "in_force_from", "invitation_days", "draft_agenda_days", "max_meetings_per_year")


@admin.register(ChairAppointment)
class ChairAppointmentAdmin(admin.ModelAdmin):
    list_display = ("chair", "appointed_on", "term_ends_with", "term_ends_on")
    autocomplete_fields = ("chair",)
