from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DueConfig(AppConfig):
    """What is due: each user's open actions, the meeting timeline and the .ics download."""

    name = "due"
    verbose_name = _("What is due")
