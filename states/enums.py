from django.db import models
from django.utils.translation import gettext_lazy as _


class TreatyStatus(models.TextChoices):
    """A State's standing under the Arms Trade Treaty on a given date."""

    STATE_PARTY = "state_party", _("State Party")
    SIGNATORY = "signatory", _("signatory State")
    SIGNATURE_WITHDRAWN = "signature_withdrawn", _("signature withdrawn")
    NONE = "none", _("not a signatory")


ELIGIBLE_STATUSES = (TreatyStatus.STATE_PARTY, TreatyStatus.SIGNATORY)


class TreatyEventKind(models.TextChoices):
    SIGNATURE = "signature", _("signature")
    CONSENT = "consent", _("deposit of consent to be bound")
    ENTRY_INTO_FORCE = "entry_into_force", _("entry into force")
    SIGNATURE_WITHDRAWN = "signature_withdrawn", _("signature withdrawn")


class ConsentType(models.TextChoices):
    RATIFICATION = "ratification", _("ratification")
    ACCEPTANCE = "acceptance", _("acceptance")
    APPROVAL = "approval", _("approval")
    ACCESSION = "accession", _("accession")
