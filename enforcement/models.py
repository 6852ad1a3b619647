"""What the sweep must do and when: one row per transition, applied once."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ScheduledTransition(models.Model):
    """A transition due at ``due_at`` (aware UTC), applied once by the sweep.

    ``action`` names a handler registered in :mod:`enforcement.registry`; ``deadline_key``
    and ``params`` tell it which deadline and reminder; ``subject_id`` points to the object
    the transition concerns when it is not the meeting itself (e.g. an expert proposal).
    ``dedupe_key`` makes scheduling the same transition twice a no-op.
    """

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="scheduled_transitions")
    action = models.CharField(max_length=60)
    deadline_key = models.CharField(max_length=40, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField()
    dedupe_key = models.CharField(max_length=200, unique=True)
    meeting_relative = models.BooleanField(
        default=True, help_text="Recomputed from the meeting's dates when they change."
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["due_at"], name="transition_pending_due", condition=Q(applied_at__isnull=True)),
        ]

    def __str__(self):
        return self.dedupe_key


class DeadlineFlag(models.Model):
    """A ToR deadline that passed unmet, flagged for the Secretariat and the Chair (rules 9, 10)."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="deadline_flags")
    deadline_key = models.CharField(_("deadline"), max_length=40)
    due_at = models.DateTimeField(_("due at"))
    flagged_at = models.DateTimeField(_("flagged at"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "deadline_key", "due_at"], name="one_flag_per_deadline_instant")
        ]

    def __str__(self):
        return f"{self.meeting_id}:{self.deadline_key}@{self.due_at:%Y-%m-%d}"

    def get_label(self):
        from meetings.enums import DeadlineKey

        return DeadlineKey(self.deadline_key).label


class SweepRun(models.Model):
    """When the sweep last finished (one row). The health check reads it, so a dead beat (or a
    cron that stopped) is seen within three sweep intervals."""

    name = models.CharField(max_length=20, unique=True, default="sweep")
    finished_at = models.DateTimeField()
    applied = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name}@{self.finished_at:%Y-%m-%d %H:%M:%S}"
