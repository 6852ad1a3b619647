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
    NONE = "none", _("no role yet")


#: Roles that open confidential content: granted only with a Secretariat officer's confirmation.
CONFIDENTIAL_ROLES = frozenset(
    {Role.SECRETARIAT, Role.CSP_PRESIDENT, Role.DELEGATE, Role.NATIONAL_AUTHORITY, Role.EXPERT}
)


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    REFUSED = "refused", _("refused")
    SUPERSEDED = "superseded", _("replaced by a later request")


class ParticipantRole(models.TextChoices):
    """A delegate's function (ToR rule 7: enforcement officers are strongly encouraged)."""

    ENFORCEMENT = "enforcement", _("enforcement officer")
    LICENSING = "licensing", _("licensing officer")
    POLICY = "policy", _("policy/diplomatic officer")
    OTHER = "other", _("other")


SECRETARIAT_GROUP = "Secretariat"


class SecurityEventKind(models.TextChoices):
    """What the security log records (never any confidential content)."""

    SECOND_FACTOR_SUCCESS = "second_factor_success", _("second factor accepted")
    SECOND_FACTOR_FAILURE = "second_factor_failure", _("second factor refused")
    SECOND_FACTOR_THROTTLED = "second_factor_throttled", _("second factor throttled after wrong codes")
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("second factor enrolled")
    SECOND_FACTOR_REMOVED = "second_factor_removed", _("second factor removed")
    PASSWORD_RECHECK_FAILURE = "password_recheck_failure", _("wrong password at a re-check")
    ENROLMENT_LINK_REFUSED = "enrolment_link_refused", _("enrolment link refused")
    ACCESS_DENIED = "access_denied", _("denied access to an existing object")
