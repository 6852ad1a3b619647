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


def test_demo_data_has_an_approved_enrolled_expert_yet_to_acknowledge(db):
    from pathlib import Path

    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from demo.personas import PERSONAS
    from experts.models import ExpertProposal
    from experts.services import pending_acknowledgements

    call_command("import_states", verbosity=0)
    call_command("seed_demo", quiet_logins=True)
    expert = User.objects.get(username="expert_fra")
    assert expert.role == "expert" and expert.has_usable_password()
    assert TOTPDevice.objects.filter(user=expert, confirmed=True).exists()
    proposal = ExpertProposal.objects.get(expert_user=expert)
    assert proposal.status == "approved" and proposal.decided_at == proposal.silence_ends_at
    assert list(pending_acknowledgements(expert)) == [proposal]
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    for persona in PERSONAS:
        assert f"`{persona[0]}`" in readme, persona[0]
