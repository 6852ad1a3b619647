"""The information exchange platform (ToR rules 13, 18-19) and the confidentiality machinery
around it: classification decisions (rule 15), shares with national authority users and
operational-use requests (rule 16), disclosure concerns (rule 15), enforcement contacts (rule 20).

Every object is reached through :mod:`exchange.queries`; none has its content as ``__str__``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from dief.confidentiality import Classification, DiversionInformation

from .enums import (
    Audience,
    ConcernRaisedAs,
    ContactStatus,
    LiftStatus,
    OperationalUseAnswer,
    OperationalUsePurpose,
    WithholdingReason,
)


class Record(DiversionInformation):
    """A piece of diversion-related information a State shares on the platform (ToR rules 13,
    18, 19), with its provider's classification (rule 15). Reached only through
    :func:`exchange.queries.records_for_user`."""

    provider_state = models.ForeignKey(
        "states.State", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("shared at"))
    updated_at = models.DateTimeField(_("updated at"))
    title = models.CharField(_("title"), max_length=200)
    audience = models.CharField(_("audience (ToR rule 13)"), max_length=8, choices=Audience.choices)
    presentation = models.ForeignKey(
        "presentations.Presentation",
        verbose_name=_("meeting presentation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    countries = models.ManyToManyField(
        "states.State", verbose_name=_("countries concerned"), blank=True, related_name="+"
    )
    submission = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("information record")
        verbose_name_plural = _("information records")
        indexes = [models.Index(fields=["created_at"])]
        constraints = [models.UniqueConstraint(fields=["created_by", "submission"], name="one_record_per_submission")]

    def __str__(self):
        return f"record {self.pk}"


class RecordUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Record, on_delete=models.CASCADE)


class RecordGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Record, on_delete=models.CASCADE)


class RecordDocument(models.Model):
    """A document of a record; the document is stored and served by :mod:`documents`."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="record_documents")
    document = models.OneToOneField("documents.Document", on_delete=models.CASCADE, related_name="record_link")

    class Meta:
        verbose_name = _("record document")
        verbose_name_plural = _("record documents")

    def __str__(self):
        return f"document {self.document_id} of record {self.record_id}"


class Withholding(models.Model):
    """A State's decision not to share a presentation's information on the platform, with
    its rule 13 reason. Seen by whoever sees the presentation."""

    presentation = models.ForeignKey("presentations.Presentation", on_delete=models.CASCADE, related_name="+")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason (ToR rule 13)"), max_length=20, choices=WithholdingReason.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["presentation"], name="one_withholding_per_presentation")]

    def __str__(self):
        return f"withholding {self.pk}"


class Share(models.Model):
    """ToR rule 16: a delegate shares a record or a document with a named national authority
    user of its own State. The active row is the grant; revoking sets ``revoked_at``."""

    record = models.ForeignKey(Record, null=True, blank=True, on_delete=models.CASCADE, related_name="shares")
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("national authority user"), on_delete=models.CASCADE, related_name="+"
    )
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(_("shared at"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    with_record = models.ForeignKey(
        "self",
        verbose_name=_("shared with the record's share"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="document_shares",
        help_text=_("A document shared in the same step as its record; revoking the record's share revokes it."),
    )

    class Meta:
        ordering = ["-shared_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(record__isnull=False, document__isnull=True)
                | models.Q(record__isnull=True, document__isnull=False),
                name="share_of_one_thing",
            ),
            models.UniqueConstraint(
                fields=["record", "recipient"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_record_share",
            ),
            models.UniqueConstraint(
                fields=["document", "recipient"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_document_share",
            ),
        ]

    def __str__(self):
        return f"share {self.pk}"


class ClassifiedTarget(models.Model):
    """A record, a presentation or a document: exactly one."""

    record = models.ForeignKey(Record, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    presentation = models.ForeignKey(
        "presentations.Presentation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def target(self):
        return self.record or self.presentation or self.document


ONE_TARGET = (
    models.Q(record__isnull=False, presentation__isnull=True, document__isnull=True)
    | models.Q(record__isnull=True, presentation__isnull=False, document__isnull=True)
    | models.Q(record__isnull=True, presentation__isnull=True, document__isnull=False)
)


class LiftProposal(ClassifiedTarget):
    """ToR rule 15: the provider agrees to lift its classification; any participant's
    objection blocks. Names the classification version it was proposed on."""

    provider_state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    version = models.PositiveIntegerField(_("classification version"))
    from_classification = models.PositiveSmallIntegerField(choices=Classification.choices)
    to_classification = models.PositiveSmallIntegerField(choices=Classification.choices)
    objections_close_at = models.DateTimeField(_("objections close at"))
    status = models.CharField(_("status"), max_length=12, choices=LiftStatus.choices, default=LiftStatus.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [models.CheckConstraint(condition=ONE_TARGET, name="lift_of_one_thing")]
        indexes = [
            models.Index(fields=["objections_close_at"], name="lift_open_due", condition=models.Q(status="open"))
        ]

    def __str__(self):
        return f"lift proposal {self.pk}"


class LiftObjection(models.Model):
    proposal = models.ForeignKey(LiftProposal, on_delete=models.CASCADE, related_name="objections")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    objected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    objected_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "state"], name="one_lift_objection_per_state")]

    def __str__(self):
        return f"objection {self.pk}"


class ClassificationDecision(ClassifiedTarget):
    """Every change of classification (ToR rule 15), with the version it was taken on."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"))
    version = models.PositiveIntegerField(_("version decided on"))
    from_classification = models.PositiveSmallIntegerField(choices=Classification.choices)
    to_classification = models.PositiveSmallIntegerField(choices=Classification.choices)
    proposal = models.ForeignKey(LiftProposal, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["decided_at"]
        constraints = [models.CheckConstraint(condition=ONE_TARGET, name="decision_on_one_thing")]

    def __str__(self):
        return f"classification decision {self.pk}"


class OperationalUseRequest(models.Model):
    """ToR rule 16: a State asks the provider before operational use of a record; the
    provider answers. Seen by those two States only."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="use_requests")
    requesting_state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=OperationalUsePurpose.choices)
    explanation = models.TextField(_("explanation"), blank=True)
    answer = models.CharField(_("answer"), max_length=8, choices=OperationalUseAnswer.choices, blank=True)
    answer_note = models.TextField(_("conditions or reasons"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    submission = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["requested_by", "submission"], name="one_use_request_per_submission")
        ]

    def __str__(self):
        return f"operational-use request {self.pk}"


class DisclosureConcern(models.Model):
    """ToR rule 15: a suspected unauthorised disclosure raised bilaterally with a participant,
    who answers with an explanation and remedial measures. Only the two parties see it."""

    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_as = models.CharField(_("raised as"), max_length=12, choices=ConcernRaisedAs.choices)
    raising_state = models.ForeignKey("states.State", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    concerned_state = models.ForeignKey(
        "states.State", verbose_name=_("participant concerned"), on_delete=models.PROTECT, related_name="+"
    )
    record = models.ForeignKey(Record, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    description = models.TextField(_("what is suspected"))
    raised_at = models.DateTimeField(_("raised at"))
    explanation = models.TextField(_("explanation"), blank=True)
    remedial_measures = models.TextField(_("remedial measures"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    submission = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [models.UniqueConstraint(fields=["raised_by", "submission"], name="one_concern_per_submission")]

    def __str__(self):
        return f"disclosure concern {self.pk}"


class EnforcementContact(models.Model):
    """ToR rule 20: a State's enforcement authority contact, verified by the Secretariat and
    circulated to eligible States. The Secretariat may instead return it for correction (see
    :class:`ContactReturn`); a newer entry of the same State that ``replaces`` it supersedes it
    once verified. Only a verified entry circulates."""

    state = models.ForeignKey("states.State", verbose_name=_("State"), on_delete=models.PROTECT, related_name="+")
    authority = models.CharField(_("enforcement authority"), max_length=200)
    contact = models.TextField(_("contact details"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    status = models.CharField(
        _("status"), max_length=12, choices=ContactStatus.choices, default=ContactStatus.SUBMITTED
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)
    submission = models.UUIDField(null=True, blank=True, editable=False)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacements",
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["state__name", "authority"]
        constraints = [
            models.UniqueConstraint(fields=["submitted_by", "submission"], name="one_contact_per_submission")
        ]

    def __str__(self):
        return f"contact {self.pk}"


class ContactReturn(models.Model):
    """ToR rule 20: the Secretariat returned an enforcement contact entry for correction, with
    its reason (shown to the submitting State's delegates); ``corrected_at`` is set when the
    State resubmits it corrected."""

    contact = models.ForeignKey(EnforcementContact, on_delete=models.CASCADE, related_name="returns")
    reason = models.TextField(_("reason for returning it"))
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(_("returned at"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    class Meta:
        ordering = ["-returned_at", "-pk"]

    def __str__(self):  # the reason may quote the contact: never in admin pages or logs
        return f"contact return {self.pk}"
