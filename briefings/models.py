"""Briefings to the WGETI or the CSP (ToR rule 22) and follow-up arrangements (rule 21)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from states.names import territory_name

from .enums import ArrangementStatus, BriefingBody, BriefingStatus, Decision


class Briefing(models.Model):
    """The Chair's outline of an oral briefing on one meeting (ToR rule 22). Reached only
    through :func:`briefings.queries.briefings_for_user`; only the agreed text may leave."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="briefings")
    status = models.CharField(_("status"), max_length=12, choices=BriefingStatus.choices, default=BriefingStatus.DRAFT)
    text = models.TextField(_("outline"))
    version = models.PositiveIntegerField(_("version"), default=1)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("drafted at"))
    edited_at = models.DateTimeField(_("last edited at"))
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    presentations = models.ManyToManyField(
        "presentations.Presentation", blank=True, related_name="+", verbose_name=_("presentations drawn on")
    )
    marked_states = models.ManyToManyField(
        "states.State", blank=True, related_name="+", verbose_name=_("States the outline could identify")
    )
    #: What the scan of the current version found: [{"code": "FR", "state_id": 12 or None, "name": "France",
    #: "found": ["France", "FRA"]}], see :mod:`briefings.attribution`.
    identified = models.JSONField(default=list, blank=True)
    decision_period_last_day = models.DateField(_("last day of the decision period"), null=True, blank=True)
    decision_period_ends_at = models.DateTimeField(_("decision period ends at"), null=True, blank=True)
    decision_period_version = models.PositiveIntegerField(null=True, blank=True)
    agreed_at = models.DateTimeField(pgettext_lazy("briefing outline", "agreed at"), null=True, blank=True)
    agreed_version = models.PositiveIntegerField(_("agreed version"), null=True, blank=True)
    agreed_by_silence = models.BooleanField(
        pgettext_lazy("briefing outline", "agreed at the end of the decision period"), default=False
    )
    agreement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vetoed_at = models.DateTimeField(_("vetoed at"), null=True, blank=True)
    vetoed_by_state = models.ForeignKey(
        "states.State", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivered_to = models.CharField(_("delivered to"), max_length=8, choices=BriefingBody.choices, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    delivered_by = models.CharField(_("delivered by"), max_length=200, blank=True)
    delivery_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivery_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-drafted_at", "-pk"]
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")

    def __str__(self):  # the outline is confidential until agreed: never its text
        return f"briefing #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == BriefingStatus.DRAFT

    @property
    def decision_period_open(self) -> bool:
        return self.decision_period_ends_at is not None and self.decision_period_version == self.version

    def identified_state_ids(self) -> set[int]:
        """States the outline could identify: marked by the Chair or found by the scan."""
        found = {i["state_id"] for i in self.identified if i.get("state_id")}
        return found | set(self.marked_states.values_list("pk", flat=True))

    def unknown_names(self) -> list[str]:
        """Names (in the active language) of States found in the text that are not States known
        to the Forum."""
        return [territory_name(i["code"], i["name"]) for i in self.identified if not i.get("state_id")]


class BriefingDecision(models.Model):
    """One participating State's decision on one version of an outline (ToR rule 22).

    An identified State's agreement is also its consent to be identifiable in that version.
    """

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="decisions")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version decided on"))
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    consents_to_attribution = models.BooleanField(_("consents to being identifiable"), default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        ordering = ["state__name"]
        constraints = [
            models.UniqueConstraint(fields=["briefing", "state", "version"], name="one_decision_per_state_and_version")
        ]
        verbose_name = _("decision on a briefing")
        verbose_name_plural = _("decisions on briefings")

    def __str__(self):
        return f"{self.state_id}:{self.decision}@v{self.version}"


class FollowUpArrangement(models.Model):
    """A concrete follow-up arrangement between States after a meeting (ToR rule 21).

    Visible only to the States party to it, and to the Secretariat once a party added it.
    """

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="follow_up_arrangements")
    states = models.ManyToManyField("states.State", related_name="+", verbose_name=_("States party to it"))
    what = models.TextField(_("what is arranged"))
    contact_route = models.CharField(_("contact route"), max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=ArrangementStatus.choices, default=ArrangementStatus.PROPOSED
    )
    secretariat_added_at = models.DateTimeField(_("Secretariat added at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow-up arrangement")
        verbose_name_plural = _("follow-up arrangements")

    def __str__(self):
        return f"arrangement #{self.pk}"
