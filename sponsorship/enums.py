from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SponsorshipStatus(models.TextChoices):
    """Where a travel sponsorship request stands (ToR rule 24)."""

    RECEIVED = "received", _("received")
    GRANTED = "granted", pgettext_lazy("sponsorship", "granted")
    DECLINED = "declined", pgettext_lazy("sponsorship", "declined")
