from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person is in the Forum. The Chair is a Chair appointment, not a role (ToR rule 4)."""

    SECRETARIAT = "secretariat", _("Secretariat")
    CSP_PRESIDENT = "csp_president", _("CSP President")
    DELEGATE = "delegate", _("delegate")
    NATIONAL_AUTHORITY = "national_authority", _("national authority user")
    EXPERT = "expert", _("non-state expert")
    ADMINISTRATOR = "administrator", _("technical administrator")


class ParticipantRole(models.TextChoices):
    """A delegate's function (ToR rule 7: enforcement officers are strongly encouraged)."""

    ENFORCEMENT = "enforcement", _("enforcement officer")
    LICENSING = "licensing", _("licensing officer")
    POLICY = "policy", _("policy/diplomatic officer")
    OTHER = "other", _("other")


SECRETARIAT_GROUP = "Secretariat"
