from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """Each kind has its templates: templates/emails/<kind>_subject.txt and _body.txt."""

    INVITATION = "invitation", _("invitation to a meeting")
