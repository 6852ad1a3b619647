from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from notifications.services import DEADLINE_LABELS
        from states.registry import on_states_changed

        from . import duties, notices, officers
        from .enums import DeadlineKey
        from .services import sync_all_meeting_access

        duties.register()
        notices.register()
        officers.register()
        on_states_changed(sync_all_meeting_access)
        DEADLINE_LABELS.update({key.value: key.label for key in DeadlineKey})
