from django.db import models
from django.utils.translation import gettext_lazy as _


class AgendaStatus(models.TextChoices):
    """ToR rules 10 and 11: drafted by the Secretariat, approved by the Chair, distributed, adopted."""

    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved by the Chair")
    DISTRIBUTED = "distributed", _("distributed")
    ADOPTED = "adopted", _("adopted")
