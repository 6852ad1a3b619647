from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """Each kind has its templates: templates/emails/<kind>_subject.txt and _body.txt."""

    INVITATION = "invitation", _("invitation to a meeting")
    REMINDER = "reminder", _("reminder of a ToR deadline")
    DEADLINE_MISSED = "deadline_missed", _("ToR deadline passed unmet")
    MEETING_CHANGED = "meeting_changed", _("meeting dates changed")
    INVOLVED_STATE_NOTICE = "involved_state_notice", _("notice to an involved State")
    REPLY_RECEIVED = "reply_received", _("an involved State replied")
    AGENDA_DISTRIBUTED = "agenda_distributed", _("draft agenda distributed")
    AGENDA_REVISED = "agenda_revised", _("agenda revised")
    INFORMATION_SHARED = "information_shared", _("information shared with a national authority user")
