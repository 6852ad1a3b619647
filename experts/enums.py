from django.db import models
from django.utils.translation import gettext_lazy as _


class Expertise(models.TextChoices):
    """ToR rule 8: what a non-state expert brings to the debate on diversion."""

    INVESTIGATING = "investigating", _("investigating diversion")
    ESTABLISHING = "establishing", _("establishing diversion")
    IDENTIFYING = "identifying", _("identifying diversion")
    ADDRESSING = "addressing", _("addressing diversion")


class ProposalStatus(models.TextChoices):
    """ToR rule 8: where an expert proposal stands."""

    IN_SILENCE = "in_silence", _("silence procedure running")
    IN_CONSULTATION = "in_consultation", _("objected: States consulting")
    REFERRED = "referred", _("referred for a procedural decision")
    APPROVED = "approved", _("approved")
    NOT_APPROVED = "not_approved", _("not approved")


#: Proposals whose fate is still open.
OPEN_STATUSES = (ProposalStatus.IN_SILENCE, ProposalStatus.IN_CONSULTATION, ProposalStatus.REFERRED)


class ApprovedHow(models.TextChoices):
    SILENCE = "silence", _("no objection during the silence procedure")
    OBJECTIONS_WITHDRAWN = "objections_withdrawn", _("every objection withdrawn")
    PROCEDURAL_DECISION = "procedural_decision", _("procedural decision at the meeting")


class ProceduralDecision(models.TextChoices):
    APPROVED = "approved", _("approved")
    NOT_APPROVED = "not_approved", _("not approved")
