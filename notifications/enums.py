from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """Each kind has its templates: templates/emails/<kind>_subject.txt and _body.txt."""

    INVITATION = "invitation", _("invitation to a meeting")
    REMINDER = "reminder", _("reminder of a ToR deadline")
    DEADLINE_MISSED = "deadline_missed", _("ToR deadline passed unmet")
    MEETING_CHANGED = "meeting_changed", _("meeting dates changed")
    INVOLVED_STATE_NOTICE = "involved_state_notice", _("notice to an involved State")
    REPLY_RECEIVED = "reply_received", _("an involved State replied")
    AGENDA_DISTRIBUTED = "agenda_distributed", _("draft agenda distributed")
    AGENDA_REVISED = "agenda_revised", _("agenda revised")
    EXPERT_PROPOSAL = "expert_proposal", _("expert proposal distributed; silence procedure open")
    EXPERT_OBJECTION = "expert_objection", _("objection to an expert proposal")
    EXPERT_CONSULTATION = "expert_consultation", _("new message in a consultation on an expert proposal")
    EXPERT_APPROVED = "expert_approved", _("expert proposal approved")
    EXPERT_REFERRED = "expert_referred", _("expert proposal referred for a procedural decision")
    EXPERT_NOT_APPROVED = "expert_not_approved", _("expert proposal not approved")
    EXPERT_CONFIDENTIALITY = "expert_confidentiality", _("inform the expert of the confidentiality obligation")
    ENROLMENT_LINK = "enrolment_link", _("enrolment link for a new account")
    BRIEFING_DRAFTED = "briefing_drafted", _("a briefing outline awaits the decision of the participating States")
    BRIEFING_REVISED = "briefing_revised", _("a briefing outline was revised")
    BRIEFING_OBJECTION = "briefing_objection", _("a State objects to a briefing outline")
    BRIEFING_OBJECTION_WITHDRAWN = "briefing_objection_withdrawn", _("an objection to a briefing outline was withdrawn")
    BRIEFING_DECISION_PERIOD = "briefing_decision_period", _("a decision period on a briefing outline opened")
    BRIEFING_AGREED = "briefing_agreed", _("a briefing outline was agreed")
    BRIEFING_VETOED = "briefing_vetoed", _("a briefing outline was vetoed")
    BRIEFING_DELIVERED = "briefing_delivered", _("a briefing was delivered")
    ARRANGEMENT_RECORDED = "arrangement_recorded", _("a follow-up arrangement names your State")
    SPONSORSHIP_UPDATED = "sponsorship_updated", _("a sponsorship request was decided")
    INFORMATION_SHARED = "information_shared", _("information shared with a national authority user")
    CONCERN_RAISED = "concern_raised", _("a disclosure concern was raised with your State")
    CONCERN_ANSWERED = "concern_answered", _("a disclosure concern was answered")
    USE_REQUESTED = "use_requested", _("a request for operational use of your State's information")
    USE_ANSWERED = "use_answered", _("a request for operational use was answered")
    LIFT_PROPOSED = "lift_proposed", _("a provider proposes to lift a classification; participants may object")
