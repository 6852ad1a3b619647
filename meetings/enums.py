from django.db import models
from django.utils.translation import gettext_lazy as _


class HostSession(models.TextChoices):
    """Where a Forum meeting is held (ToR rule 3)."""

    PREPARATORY = "preparatory", _("session of preparatory meetings")
    CSP = "csp", _("Conference of States Parties")


class InvitationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent")


class DeadlineKey(models.TextChoices):
    """The deadlines the ToR set, counted in days before a meeting."""

    INVITATION = "invitation", _("Invitation to all eligible States")
    EXPERT_PROPOSAL = "expert_proposal", _("Proposals to invite non-state experts")
    DRAFT_AGENDA = "draft_agenda", _("Distribution of the draft agenda")
    INVOLVED_STATE_NOTICE = "involved_state_notice", _("Notice to involved States")
    EXPERT_OBJECTION_RESOLUTION = "expert_objection_resolution", _("Resolution of objections to experts")
    INVOLVED_STATE_RESPONSE = "involved_state_response", _("Responses of involved States")


class DeadlineStatus(models.TextChoices):
    UPCOMING = "upcoming", _("upcoming")
    MET = "met", _("met")
    MISSED = "missed", _("missed")
    DONE_LATE = "done_late", _("done late")
    CLOSED = "closed", _("closed")
