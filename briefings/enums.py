from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BriefingStatus(models.TextChoices):
    """ToR rule 22: a draft outline is decided by consensus of the participating States."""

    DRAFT = "draft", _("draft, open for decision")
    AGREED = "agreed", pgettext_lazy("briefing outline", "agreed by consensus")
    VETOED = "vetoed", _("vetoed by a presenting State")
    DELIVERED = "delivered", pgettext_lazy("briefing outline", "delivered")


class Decision(models.TextChoices):
    """A participating State's decision on one version of an outline (ToR rule 22)."""

    AGREE = "agree", pgettext_lazy("briefing decision", "agrees")
    OBJECT = "object", pgettext_lazy("briefing decision", "objects")


class BriefingBody(models.TextChoices):
    """Where the Chair delivers the oral briefing (ToR rule 22)."""

    WGETI = "wgeti", _("Working Group on Effective Treaty Implementation (WGETI)")
    CSP = "csp", _("Conference of States Parties (CSP)")


class ArrangementStatus(models.TextChoices):
    """Where a follow-up arrangement stands (ToR rule 21)."""

    PROPOSED = "proposed", _("proposed")
    AGREED = "agreed", pgettext_lazy("arrangement", "agreed")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    ABANDONED = "abandoned", _("abandoned")
