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
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    #: For a recipient without an account (a State's national point of contact, ToR rule 9):
    #: the address, and the State it speaks for (it hears nothing once that State is no longer eligible).
    address = models.EmailField(_("address"), blank=True)
    address_state = models.ForeignKey("states.State", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
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
            models.UniqueConstraint(fields=["event", "recipient", "kind"], name="notification_once_per_event"),
            models.UniqueConstraint(
                fields=["event", "address", "kind"],
                condition=Q(recipient__isnull=True),
                name="notification_once_per_address",
            ),
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False) & Q(address="")) | (Q(recipient__isnull=True) & ~Q(address="")),
                name="notification_has_one_recipient",
            ),
        ]
        indexes = [
            # The senders' claim (oldest first, ``created_at`` then ``pk``) reads this index in
            # order and stops at the first unlocked row: no sort of the whole backlog per email.
            # Withheld rows are never sent, so they leave it like sent ones.
            models.Index(
                fields=["created_at", "id"],
                name="notification_sendable",
                condition=Q(sent_at__isnull=True, withheld_at__isnull=True),
            )
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        # No content (title, States, names, addresses): this is what the admin and logs show.
        return f"notification #{self.pk}"
