"""Non-state expert proposals, the silence procedure, objections, consultations, the
procedural decision (ToR rule 8) and the expert's confidentiality acknowledgement (rule 15)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enums import ApprovedHow, Expertise, ProceduralDecision, ProposalStatus


class ExpertProposal(models.Model):
    """An eligible State's proposal to invite a non-state expert to one of its presentations.

    Confidential: reached only through :func:`experts.queries.proposals_for_user`; its
    ``__str__`` names no expert. ``version`` grows with each state change, so a decision
    names the version it was taken on.
    """

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="expert_proposals")
    presentation = models.ForeignKey(
        "presentations.Presentation", on_delete=models.CASCADE, related_name="expert_proposals"
    )
    proposing_state = models.ForeignKey(
        "states.State", verbose_name=_("proposing State"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expert_name = models.CharField(_("name of the expert"), max_length=200)
    expert_affiliation = models.CharField(_("affiliation"), max_length=200)
    expert_email = models.EmailField(_("email of the expert"))
    expertise = models.JSONField(_("specific expertise"), default=list)
    purpose = models.TextField(_("purpose of the participation"))
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.IN_SILENCE
    )
    version = models.PositiveIntegerField(default=1)
    distributed_at = models.DateTimeField(_("distributed at"))
    silence_ends_at = models.DateTimeField(_("silence procedure ends at"), db_index=True)
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    approved_how = models.CharField(_("approved by"), max_length=24, choices=ApprovedHow.choices, blank=True)
    procedural_decision = models.CharField(
        _("procedural decision"), max_length=16, choices=ProceduralDecision.choices, blank=True
    )
    decision_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expert_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="expert_invitations"
    )

    class Meta:
        ordering = ["distributed_at", "pk"]
        indexes = [models.Index(fields=["meeting", "status"], name="expert_proposal_meeting_status")]
        verbose_name = _("expert proposal")
        verbose_name_plural = _("expert proposals")

    def __str__(self):
        return f"expert proposal {self.pk}"

    @property
    def expertise_labels(self) -> list:
        """The specific expertise, in the reader's language."""
        return [Expertise(e).label for e in self.expertise if e in Expertise.values]

    @property
    def is_open(self) -> bool:
        return self.status in (ProposalStatus.IN_SILENCE, ProposalStatus.IN_CONSULTATION, ProposalStatus.REFERRED)


class Objection(models.Model):
    """A State Party's objection during the silence procedure (ToR rule 8); one per State."""

    proposal = models.ForeignKey(ExpertProposal, on_delete=models.CASCADE, related_name="objections")
    state = models.ForeignKey(
        "states.State", verbose_name=_("objecting State"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    objected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    objected_at = models.DateTimeField(_("objected at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["objected_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "state"], name="one_objection_per_state")]
        indexes = [
            models.Index(fields=["proposal"], name="objection_active", condition=Q(withdrawn_at__isnull=True)),
        ]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return f"objection {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class ConsultationMessage(models.Model):
    """A message in the consultation of the proposing and an objecting State (ToR rule 8),
    seen only by those two States and the Secretariat."""

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_state = models.ForeignKey("states.State", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"))
    text = models.TextField(_("message"))

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("consultation message")
        verbose_name_plural = _("consultation messages")

    def __str__(self):
        return f"consultation message {self.pk}"


class ConfidentialityAcknowledgement(models.Model):
    """ToR rule 15: the expert acknowledged the confidentiality obligation (text, version, time)."""

    proposal = models.OneToOneField(ExpertProposal, on_delete=models.CASCADE, related_name="acknowledgement")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text_version = models.CharField(_("version of the text"), max_length=20)
    text = models.TextField(_("text acknowledged"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"))

    class Meta:
        verbose_name = _("confidentiality acknowledgement")
        verbose_name_plural = _("confidentiality acknowledgements")

    def __str__(self):
        return f"acknowledgement {self.pk}"
