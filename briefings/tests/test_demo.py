from django.core.management import call_command

from briefings.enums import BriefingStatus
from briefings.models import Briefing
from briefings.services import meeting_has_ended


def test_demo_data_has_a_past_meeting_with_a_draft_briefing(db):
    call_command("import_states", verbosity=0)
    call_command("seed_demo", quiet_logins=True)
    briefing = Briefing.objects.select_related("meeting").get()
    assert briefing.status == BriefingStatus.DRAFT
    assert meeting_has_ended(briefing.meeting)
    assert briefing.meeting.delegations.count() == 4
    assert briefing.presentations.get().kind == "case"
