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
    REFUSED = "refused", pgettext_lazy("consent", "refused")


class RightOfReply(models.TextChoices):
    """ToR rule 12: after the presentation the Chair accords the involved States the right of reply."""

    NOT_YET = "", _("not yet recorded")
    GIVEN = "given", pgettext_lazy("right of reply", "given")
    WAIVED = "waived", pgettext_lazy("right of reply", "waived")
