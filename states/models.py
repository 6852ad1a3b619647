"""States and their treaty status history (ToR rule 6: who may take part)."""

import datetime

from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .enums import ConsentType, TreatyEventKind, TreatyStatus
from .names import region_name, state_name


class StateQuerySet(models.QuerySet):
    def eligible_on(self, on_date: datetime.date):
        """States that are a State Party or a signatory State on ``on_date`` (ToR rule 6).

        A treaty event without a date counts as held since before any meeting dief knows of.
        """
        dated = Q(date__isnull=True) | Q(date__lte=on_date)
        joined = TreatyEvent.objects.filter(
            dated, state=OuterRef("pk"), kind__in=[TreatyEventKind.SIGNATURE, TreatyEventKind.CONSENT]
        )
        consented = TreatyEvent.objects.filter(dated, state=OuterRef("pk"), kind=TreatyEventKind.CONSENT)
        withdrawn = TreatyEvent.objects.filter(dated, state=OuterRef("pk"), kind=TreatyEventKind.SIGNATURE_WITHDRAWN)
        return self.filter(Exists(joined)).exclude(Q(Exists(withdrawn)) & ~Q(Exists(consented)))

    def parties_on(self, on_date: datetime.date):
        """States Parties on ``on_date``: their consent to be bound is deposited (ToR rule 8)."""
        dated = Q(date__isnull=True) | Q(date__lte=on_date)
        consented = TreatyEvent.objects.filter(dated, state=OuterRef("pk"), kind=TreatyEventKind.CONSENT)
        return self.filter(Exists(consented))


class State(models.Model):
    """A State that signed or joined the Arms Trade Treaty, or any other State a user belongs to.

    Each State has its own auth group: object permissions go to that group (design.md, Access).
    """

    name = models.CharField(_("name"), max_length=120)
    iso3 = models.CharField(_("ISO 3166 alpha-3 code"), max_length=3, unique=True)
    region = models.CharField(_("region"), max_length=60, blank=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="state", editable=False)
    point_of_contact_email = models.EmailField(
        _("national point of contact (email)"),
        blank=True,
        help_text=_(
            "Receives the invitations (ToR rule 9) when the State has no delegate account; never case content."
        ),
    )
    point_of_contact_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    point_of_contact_recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = StateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("State")
        verbose_name_plural = _("States")

    def __str__(self):
        return self.local_name

    def save(self, *args, **kwargs):
        if not self.group_id:
            self.group, _created = Group.objects.get_or_create(name=f"State:{self.iso3}")
        super().save(*args, **kwargs)

    @property
    def local_name(self) -> str:
        """The State's name in the active language (CLDR for French and Spanish; see states.names)."""
        return state_name(self)

    @property
    def local_region(self) -> str:
        """The State's region (UN M49) named in the active language."""
        return region_name(self.region)

    def status_on(self, on_date: datetime.date) -> TreatyStatus:
        """Return the State's :class:`TreatyStatus` on ``on_date`` (a calendar date).

        An event without a date is taken as held since before any meeting dief knows of.
        """

        def held(kind):
            return any(e.kind == kind and (e.date is None or e.date <= on_date) for e in self._events())

        if held(TreatyEventKind.CONSENT):
            return TreatyStatus.STATE_PARTY
        if held(TreatyEventKind.SIGNATURE_WITHDRAWN):
            return TreatyStatus.SIGNATURE_WITHDRAWN
        if held(TreatyEventKind.SIGNATURE):
            return TreatyStatus.SIGNATORY
        return TreatyStatus.NONE

    def is_eligible(self, on_date: datetime.date) -> bool:
        """ToR rule 6: True if the State is a State Party or a signatory State on ``on_date``."""
        return self.status_on(on_date) in (TreatyStatus.STATE_PARTY, TreatyStatus.SIGNATORY)

    def is_party(self, on_date: datetime.date) -> bool:
        """True if the State is a State Party on ``on_date`` (rule 8: only they may object)."""
        return self.status_on(on_date) == TreatyStatus.STATE_PARTY

    def events_read(self) -> bool:
        """True once this State's treaty events are in memory (read, prefetched or given)."""
        return hasattr(self, "_events_cache") or "treaty_events" in getattr(self, "_prefetched_objects_cache", {})

    def use_events(self, events) -> None:
        """Take ``events`` as this State's treaty events (read by a caller's own query, e.g. with
        the Chair appointment of a delegate): its status then asks no query of its own."""
        self._events_cache = list(events)

    def _events(self):
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "treaty_events" in cache:
            return cache["treaty_events"]
        if not hasattr(self, "_events_cache"):
            # no ordering: the status needs none, and the model's ordering joins the State to sort
            self._events_cache = list(self.treaty_events.order_by())
        return self._events_cache


class TreatyEvent(models.Model):
    """One dated step in a State's treaty status: signature, consent, entry into force, withdrawal."""

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="treaty_events")
    kind = models.CharField(_("event"), max_length=24, choices=TreatyEventKind.choices)
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Empty: held since before any meeting dief knows of.")
    )
    consent_type = models.CharField(_("consent type"), max_length=16, choices=ConsentType.choices, blank=True)

    class Meta:
        ordering = ["state", "date"]
        constraints = [models.UniqueConstraint(fields=["state", "kind"], name="one_event_of_each_kind")]
        verbose_name = _("treaty event")
        verbose_name_plural = _("treaty events")

    def __str__(self):
        return f"{self.state} {self.get_kind_display()} {self.date or '—'}"
