"""ToR rule 8 deadlines in "What is due", the timeline, the .ics file and the calendar."""

import datetime

from django.urls import reverse
from icalendar import Calendar

from dief.testing import login_verified
from due.services import due_items_for_user
from enforcement.services import sweep
from experts import services

from .conftest import EARLY, SILENCE_END, TICK, ZURICH, at

DURING = datetime.datetime(2099, 1, 7, 12, 0, tzinfo=ZURICH)


def test_state_parties_see_the_silence_end_as_due_until_they_object_or_it_ends(
    delegate_party, delegate_other_party, delegate_signatory, proposal
):
    for user in (delegate_party, delegate_other_party, delegate_signatory):
        user.is_verified = lambda: True  # as after a second factor

    def keys(user, now):
        return [(str(i.deadline.key), i.url) for i in due_items_for_user(user, now)]

    detail = reverse("experts:detail", args=[proposal.pk])
    with at(DURING):
        assert ("silence_procedure", detail) in keys(delegate_other_party, DURING)
        assert ("silence_procedure", detail) not in keys(delegate_signatory, DURING)
        assert ("silence_procedure", detail) not in keys(delegate_party, DURING)
    assert ("silence_procedure", detail) not in keys(delegate_other_party, SILENCE_END + TICK)
    with at(DURING):
        services.object_to_proposal(by=delegate_other_party, proposal=proposal, reason="No")
        for user in (delegate_other_party, delegate_party):
            assert ("expert_objection_resolution", detail) in keys(user, DURING)
            assert ("silence_procedure", detail) not in keys(delegate_other_party, DURING)


def test_the_timeline_ics_and_calendar_show_the_rule_8_deadlines(
    client, delegate_party, delegate_other_party, proposal, meeting
):
    with at(DURING):
        login_verified(client, delegate_other_party)
        page = client.get(reverse("due:list")).content.decode()
        assert "2099-01-10" in page  # the silence end on the timeline
        cal = Calendar.from_ical(client.get(reverse("due:ics")).content)
        silence = [e for e in cal.walk("VEVENT") if "silence_procedure" in str(e["uid"])]
        assert len(silence) == 1
        description = str(silence[0]["description"])
        assert "Europe/Zurich" in description and "Europe/Paris" in description and "8" in description
        delegate_other_party.language = "en"
        delegate_other_party.save()
        calendar = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        assert "1 expert proposed; 1 pending, 0 approved." in calendar
        assert "No objection unresolved." in calendar
        services.object_to_proposal(by=delegate_other_party, proposal=proposal, reason="No")
        calendar = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        assert "1 proposal still objected to." in calendar


def test_reminders_before_t20_go_to_the_states_still_consulting(
    delegate_party, delegate_other_party, secretariat, proposal
):
    from notifications.models import Notification

    with at(EARLY):
        services.object_to_proposal(by=delegate_other_party, proposal=proposal, reason="No")
    sweep(datetime.datetime(2099, 2, 26, 9, 0, tzinfo=ZURICH))  # T-20 minus 2 days, 09:00
    reminded = set(
        Notification.objects.filter(kind="reminder", context__deadline_key="expert_objection_resolution").values_list(
            "recipient__username", flat=True
        )
    )
    assert reminded == {"delegate_party", "delegate_fra"}


def test_the_proposing_state_and_every_other_viewer_get_the_silence_end_in_the_ics_and_on_the_meeting_page(
    client, delegate_party, delegate_other_party, proposal, meeting
):
    """The proposer has nothing to do before the silence end, yet its .ics and the meeting page's
    timeline carry the date, as What is due's timeline does (ToR rule 8); once, for a viewer
    who also has an action before it."""
    with at(DURING):
        for user in (delegate_party, delegate_other_party):
            login_verified(client, user)
            cal = Calendar.from_ical(client.get(reverse("due:ics")).content)
            silence = [e for e in cal.walk("VEVENT") if "silence_procedure" in str(e["uid"])]
            assert len(silence) == 1, user
            assert silence[0].decoded("dtstart") == datetime.date(2099, 1, 10)
            page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
            assert "2099-01-10" in page, user  # the silence end on the meeting page's timeline
