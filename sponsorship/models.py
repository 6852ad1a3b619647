"""Travel sponsorship requests for meetings (ToR rule 24)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import SponsorshipStatus


class SponsorshipRequest(models.Model):
    """A State's request for travel sponsorship to one meeting, tracked by the Secretariat.
    Visible only to that State's delegates and the Secretariat."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="sponsorship_requests")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    travellers = models.PositiveSmallIntegerField(_("delegates to sponsor"), default=1)
    note = models.TextField(_("note to the Secretariat"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("received at"))
    status = models.CharField(
        _("status"), max_length=10, choices=SponsorshipStatus.choices, default=SponsorshipStatus.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "state"], name="one_sponsorship_request_per_state")]
        verbose_name = _("sponsorship request")
        verbose_name_plural = _("sponsorship requests")

    def __str__(self):
        return f"sponsorship request #{self.pk}"
