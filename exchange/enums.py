from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """ToR rule 13: a record goes to all eligible States or to chosen ones. There is no wider
    audience: no observer, no public, no "all communities"."""

    ALL_ELIGIBLE = "all", _("all States Parties and signatory States")
    CHOSEN = "chosen", _("chosen States Parties and signatory States")


class WithholdingReason(models.TextChoices):
    """ToR rule 13: the reasons a State may give for not sharing on the platform."""

    NATIONAL_SECURITY = "national_security", _("national security information")
    ENFORCEMENT_PROCEEDINGS = "enforcement", _("sharing would hamper ongoing or pending enforcement proceedings")


class OperationalUsePurpose(models.TextChoices):
    """ToR rule 16: what the information would be used for."""

    EXPORT_ASSESSMENT = "export_assessment", _("export assessment")
    ENFORCEMENT_PROCEEDINGS = "enforcement", _("enforcement proceedings")
    OTHER = "other", _("other operational use")


class OperationalUseAnswer(models.TextChoices):
    PENDING = "", _("awaiting the provider's answer")
    AGREED = "agreed", _("agreed by the provider")
    REFUSED = "refused", _("refused by the provider")


class LiftStatus(models.TextChoices):
    """ToR rule 15: lifting a classification needs the provider and the consensus of participants."""

    OPEN = "open", _("open to objections")
    LIFTED = "lifted", _("lifted by consensus")
    BLOCKED = "blocked", _("blocked by an objection")
    SUPERSEDED = "superseded", _("superseded by a change of classification")


class ConcernRaisedAs(models.TextChoices):
    PARTICIPANT = "participant", _("participant")
    CHAIR = "chair", _("Chair")
    SECRETARIAT = "secretariat", _("Secretariat")


class ContactStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted, awaiting verification")
    VERIFIED = "verified", _("verified and circulated")
    RETURNED = "returned", _("returned for correction")
    SUPERSEDED = "superseded", _("superseded by a newer entry")
