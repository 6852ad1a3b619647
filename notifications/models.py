"""The outbox: one row per (event, recipient, kind), written in the transaction that causes it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enums import NotificationKind


class Notification(models.Model):
    """An email to send once. ``context`` holds only non-confidential values (rules.md, Email).

    It names what it concerns (``meeting``, ``subject_id``) and the role and State its
    recipient held when it was queued, so that the sender can decide again whether the
    recipient may still receive it (:mod:`notifications.registry`); if not, it is marked
    ``withheld_at`` and never sent.
    """

    event = models.CharField(_("event"), max_length=120)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    meeting = models.ForeignKey("meetings.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject_id = models.BigIntegerField(
        _("subject"), null=True, blank=True, help_text=_("The object the notice concerns, besides the meeting.")
    )
    recipient_role = models.CharField(_("recipient's role when queued"), max_length=24, blank=True)
    recipient_state = models.ForeignKey(
        "states.State", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    withheld_at = models.DateTimeField(
        _("withheld at"), null=True, blank=True, help_text=_("Not sent: the recipient was no longer entitled.")
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient", "kind"], name="notification_once_per_event")
        ]
        indexes = [models.Index(fields=["created_at"], name="notification_pending", condition=Q(sent_at__isnull=True))]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return f"{self.kind} → {self.recipient} ({self.event})"
