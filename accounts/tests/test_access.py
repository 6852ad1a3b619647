"""The object-permission EXISTS (accounts.access) gives exactly what django-guardian's own
reading of the same direct foreign-key tables gives, also as a subquery of another query."""

import datetime

from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm, get_objects_for_user

from accounts.access import granted_to_user, granted_to_user_groups
from dief.testing import UserFactory, meeting_factory
from meetings.models import Meeting, MeetingGroupObjectPermission, MeetingUserObjectPermission


def _meetings(secretariat, president, n):
    return [
        meeting_factory(
            start_date=datetime.date(2099, 1, 1) + datetime.timedelta(days=40 * i),
            created_by=secretariat,
            convened_by=president,
            title=f"M{i}",
        )
        for i in range(n)
    ]


def _guardian(user, perm="meetings.view_meeting"):
    found = get_objects_for_user(user, perm, Meeting, use_groups=True, with_superuser=False, accept_global_perms=False)
    return set(found.values_list("pk", flat=True))


def test_group_grants_read_as_guardian_reads_them(secretariat, president):
    meetings = _meetings(secretariat, president, 5)
    reader, stranger = UserFactory(username="reader"), UserFactory(username="stranger")
    mine, theirs, both = (Group.objects.create(name=name) for name in ("g1", "g2", "g3"))
    reader.groups.add(mine, both)
    stranger.groups.add(theirs, both)
    assign_perm("meetings.view_meeting", mine, meetings[0])
    assign_perm("meetings.view_meeting", theirs, meetings[1])
    assign_perm("meetings.view_meeting", both, meetings[2])
    assign_perm("meetings.change_meeting", mine, meetings[3])  # another permission opens nothing
    assign_perm("meetings.view_meeting", reader, meetings[4])  # a user grant is not a group grant
    for user in (reader, stranger):
        granted = granted_to_user_groups(Meeting.objects.all(), MeetingGroupObjectPermission, "view_meeting", user)
        assert set(granted.values_list("pk", flat=True)) == _guardian(user) - {meetings[4].pk}
    granted = granted_to_user_groups(Meeting.objects.all(), MeetingGroupObjectPermission, "view_meeting", reader)
    assert set(granted.values_list("title", flat=True)) == {"M0", "M2"}


def test_user_grants_read_only_the_users_own(secretariat, president):
    meetings = _meetings(secretariat, president, 3)
    expert, other = UserFactory(username="expert1"), UserFactory(username="expert2")
    group = Group.objects.create(name="g")
    expert.groups.add(group)
    assign_perm("meetings.view_meeting", expert, meetings[0])
    assign_perm("meetings.view_meeting", other, meetings[1])
    assign_perm("meetings.view_meeting", group, meetings[2])  # a group grant is not the user's own
    granted = granted_to_user(Meeting.objects.all(), MeetingUserObjectPermission, "view_meeting", expert)
    assert list(granted.values_list("title", flat=True)) == ["M0"]


def test_the_condition_keeps_its_meaning_inside_another_query(secretariat, president):
    meetings = _meetings(secretariat, president, 4)
    reader = UserFactory(username="reader")
    group = Group.objects.create(name="g")
    reader.groups.add(group)
    for m in meetings[:2]:
        assign_perm("meetings.view_meeting", group, m)
    granted = granted_to_user_groups(Meeting.objects.all(), MeetingGroupObjectPermission, "view_meeting", reader)
    # as an IN subquery, as an EXISTS correlated with an outer meeting, and combined with OR
    assert set(Meeting.objects.filter(pk__in=granted.values("pk")).values_list("title", flat=True)) == {"M0", "M1"}
    from django.db.models import Exists, OuterRef

    correlated = Meeting.objects.filter(Exists(granted.filter(pk=OuterRef("pk"))))
    assert set(correlated.values_list("title", flat=True)) == {"M0", "M1"}
    either = granted | Meeting.objects.filter(title="M3")
    assert set(either.values_list("title", flat=True)) == {"M0", "M1", "M3"}
    assert granted.count() == 2 and granted.exists()
    # the outer column is the meeting's, by the foreign key a row names (ref)
    from agendas.models import Agenda

    rows = granted_to_user_groups(
        Agenda.objects.all(), MeetingGroupObjectPermission, "view_meeting", reader, "meeting_id"
    )
    assert set(rows.values_list("meeting__title", flat=True)) <= {"M0", "M1"}
