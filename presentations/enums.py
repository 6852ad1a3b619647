from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PresentationKind(models.TextChoices):
    """ToR rule 11: a case of suspected or detected diversion, or other diversion-related information."""

    CASE = "case", _("case of suspected or detected diversion")
    INFORMATION = "information", _("other diversion-related information")


class PresentationStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Consent(models.TextChoices):
    """Only asked when the presenting State marks consent as legally required (ToR rule 12)."""

    NOT_ASKED = "not_asked", _("not asked")
    PENDING = "pending", _("pending")
    GIVEN = "given", pgettext_lazy("consent", "given")
    REFUSED = "refused", pgettext_lazy("consent", "withheld")


class RightOfReply(models.TextChoices):
    """ToR rule 12: after the presentation the Chair accords the involved States the right of reply."""

    NOT_YET = "", _("not yet recorded")
    GIVEN = "given", pgettext_lazy("right of reply", "given")
    WAIVED = "waived", pgettext_lazy("right of reply", "waived")


class ConsentStanding(models.TextChoices):
    """Where the consent of a presentation's involved States stands (ToR rule 12)."""

    NOT_NEEDED = "not_needed", _("not needed (ToR rule 12)")
    NO_INVOLVED_STATE = (
        "no_involved_state",
        _(
            "legally required, but no involved State is named yet: the presentation cannot be scheduled until "
            "the involved States are notified and consent (ToR rule 12)"
        ),
    )
    AWAITED = (
        "awaited",
        _("legally required: the presentation cannot be scheduled until every involved State consents (ToR rule 12)"),
    )
    WITHHELD = (
        "withheld",
        _(
            "legally required and withheld by at least one involved State: the presentation cannot be scheduled "
            "(ToR rule 12)"
        ),
    )
    ALL_GIVEN = "all_given", _("legally required; every involved State named has consented (ToR rule 12)")
