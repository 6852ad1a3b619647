"""The benchmark's data set: ten times the ATT's scale.

143 States (the real list), 2,000 users, 100 meetings (80 past, 20 upcoming), delegations of 60
States per meeting, 1,029 presentations with their involved States and replies, 5,147
documents, and the object permissions the product's own services grant for all of it.
Rows are inserted in bulk, consistently, and the access rows are then made by the product's
own functions (``sync_meeting_access``, ``sync_presentation_access``), so every page reads
exactly what it would read in production.
"""

from __future__ import annotations

import datetime
import random
import time

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from accounts.enums import ParticipantRole, Role
from accounts.models import User
from accounts.services import sync_groups
from dief import clock
from dief.testing import tor_version
from documents.models import Document
from enforcement.models import ScheduledTransition
from enforcement.services import _planned
from meetings import officers
from meetings.models import ChairAppointment, DelegationRegistration, Invitation, Meeting
from meetings.services import sync_meeting_access
from presentations.models import InvolvedState, Presentation, Reply
from presentations.services import sync_presentation_access
from states.models import State
from states.queries import eligible_states

MARK = "DIEF benchmark"
BUSY_STATE = "FRA"


def _pdf() -> bytes:
    """A real two-page PDF (reportlab, as the tests' ``pdf_bytes``), so downloads are stamped
    and measured like any other: a file pypdf cannot read is refused, not served."""
    from dief.testing import pdf_bytes

    return pdf_bytes("Annex: consignment records", "Annex: transshipment port log")


def built() -> bool:
    return Meeting.objects.filter(title__startswith=MARK).exists()


def _users(states: list[State], busy: State, n_users: int, password: str) -> dict[str, User]:
    hashed = make_password(password)
    specs = [("bench_secretariat", Role.SECRETARIAT, None, "")] + [
        (f"bench_sec{i}", Role.SECRETARIAT, None, "") for i in range(9)
    ]
    specs += [("bench_president", Role.CSP_PRESIDENT, None, ""), ("bench_chair", Role.DELEGATE, busy, "policy")]
    specs += [(f"bench_busy{i}", Role.DELEGATE, busy, ParticipantRole.ENFORCEMENT) for i in range(100)]
    specs += [(f"bench_na{i}", Role.NATIONAL_AUTHORITY, states[i % len(states)], "") for i in range(100)]
    roles = list(ParticipantRole.values)
    i = 0
    while len(specs) < n_users:
        state = states[i % len(states)]
        specs.append((f"bench_d{i}", Role.DELEGATE, state, roles[i % len(roles)]))
        i += 1
    User.objects.bulk_create(
        [
            User(
                username=name,
                password=hashed,
                role=role,
                state=state,
                participant_role=prole,
                email=f"{name}@bench.example.org",
                language=("en", "fr", "es")[n % 3],
            )
            for n, (name, role, state, prole) in enumerate(specs)
        ],
        batch_size=1000,
    )
    for user in User.objects.filter(username__startswith="bench_").select_related("state"):
        sync_groups(user)
    return {
        u.username: u
        for u in User.objects.filter(
            username__in=["bench_secretariat", "bench_president", "bench_chair", "bench_busy0", "bench_na0"]
        )
    }


def build(
    *,
    n_users=2000,
    n_past=80,
    n_upcoming=20,
    n_presentations=1029,
    n_documents=5147,
    delegations=60,
    seed=20261130,
    password="bench-password-123",
    log=print,
) -> None:
    """Create the data set (once). Takes a few minutes on a 2-core machine."""
    if built():
        log("benchmark data already there")
        ensure_document_file(log=log)
        return
    rnd = random.Random(seed)
    t0 = time.perf_counter()
    version = tor_version()
    today = clock.today_in("Europe/Zurich")
    states = list(eligible_states(today).order_by("iso3"))
    busy = next(s for s in states if s.iso3 == BUSY_STATE)
    people = _users(states, busy, n_users, password)
    log(f"users: {User.objects.filter(username__startswith='bench_').count()} ({time.perf_counter() - t0:.0f} s)")
    secretariat, president, chair = people["bench_secretariat"], people["bench_president"], people["bench_chair"]
    ChairAppointment.objects.create(
        chair=chair,
        appointed_by=president,
        appointed_on=today - datetime.timedelta(days=100),
        term_ends_with="the following CSP",
        term_ends_on=today + datetime.timedelta(days=300),
    )

    # Meetings: two a calendar year (ToR rule 3), past ones and upcoming ones.
    starts = []
    year = today.year - n_past // 2
    while len(starts) < n_past:
        starts += [datetime.date(year, 3, 20), datetime.date(year, 8, 25)]
        year += 1
    year = today.year + 1
    while len(starts) < n_past + n_upcoming:
        starts += [datetime.date(year, 3, 20), datetime.date(year, 8, 25)]
        year += 1
    meetings = Meeting.objects.bulk_create(
        Meeting(
            title=f"{MARK} {i + 1}",
            start_date=start,
            end_date=start + datetime.timedelta(days=1),
            venue="CICG, Geneva",
            host_session="preparatory",
            host_session_name="Preparatory meeting",
            tor_version=version,
            convened_by=president,
            convened_on=start - datetime.timedelta(days=200),
            consulted_chair=True,
            created_by=secretariat,
        )
        for i, start in enumerate(starts)
    )
    Invitation.objects.bulk_create(Invitation(meeting=m) for m in meetings)
    ScheduledTransition.objects.bulk_create(
        [ScheduledTransition(meeting=m, dedupe_key=k, **f) for m in meetings for k, f in _planned(m).items()],
        batch_size=2000,
    )
    for m in meetings:
        sync_meeting_access(m)
    log(f"meetings: {len(meetings)} ({time.perf_counter() - t0:.0f} s)")

    # Delegations: the busy State at every meeting, 59 others drawn per meeting.
    delegates_by_state: dict[int, list[int]] = {}
    for pk, state_id in User.objects.filter(role=Role.DELEGATE, username__startswith="bench_").values_list(
        "pk", "state_id"
    ):
        delegates_by_state.setdefault(state_id, []).append(pk)
    registrations = []
    attending: dict[int, list[State]] = {}
    for m in meetings:
        chosen = [busy] + rnd.sample([s for s in states if s != busy], delegations - 1)
        attending[m.pk] = chosen
        for s in chosen:
            registrations.append(
                DelegationRegistration(
                    meeting=m,
                    state=s,
                    registered_at=clock.now(),
                    registered_by_id=delegates_by_state[s.pk][0],
                )
            )
    DelegationRegistration.objects.bulk_create(registrations, batch_size=2000)
    Member = DelegationRegistration.members.through
    Member.objects.bulk_create(
        [
            Member(delegationregistration_id=r.pk, user_id=u)
            for r in DelegationRegistration.objects.filter(meeting__in=meetings)
            for u in delegates_by_state[r.state_id][:2]
        ],
        batch_size=5000,
    )
    officers.refresh(DelegationRegistration.objects.filter(meeting__in=meetings))  # bulk_create sends no signal
    log(f"delegations: {len(registrations)} ({time.perf_counter() - t0:.0f} s)")

    # Presentations: spread over the meetings; the busy State presents one in ten.
    presentations = []
    for i in range(n_presentations):
        m = meetings[i % len(meetings)]
        presenter = busy if i % 10 == 0 else rnd.choice(attending[m.pk][1:])
        presentations.append(
            Presentation(
                meeting=m,
                presenting_state=presenter,
                registered_by_id=delegates_by_state[presenter.pk][0],
                registered_at=clock.now(),
                kind="case" if i % 4 else "information",
                title=f"Benchmark case {i + 1}: diversion through a transshipment port",
                summary="A consignment re-exported without authorisation. " * 4,
                consent_legally_required=i % 7 == 0,
                involved_states_notified_at=clock.now() if i % 2 else None,
            )
        )
    Presentation.objects.bulk_create(presentations, batch_size=1000)
    involved, replies = [], []
    for i, p in enumerate(presentations):
        if i % 2 == 0:
            continue
        others = rnd.sample([s for s in states if s != p.presenting_state], 1 + i % 3)
        if i % 5 == 1 and p.presenting_state != busy:
            others[0] = busy
        for s in others:
            involved.append(InvolvedState(presentation=p, state=s, notified_at=clock.now()))
            if rnd.random() < 0.6:
                replies.append(
                    Reply(
                        presentation=p,
                        state=s,
                        text="Our authorities confirm and will share their findings.",
                        submitted_by_id=delegates_by_state[s.pk][0],
                        submitted_at=clock.now(),
                    )
                )
    InvolvedState.objects.bulk_create(involved, batch_size=2000, ignore_conflicts=True)
    Reply.objects.bulk_create(replies, batch_size=2000, ignore_conflicts=True)
    for p in Presentation.objects.filter(meeting__in=meetings):
        sync_presentation_access(p)
    log(
        f"presentations: {len(presentations)}, involved {len(involved)}, replies {len(replies)} "
        f"({time.perf_counter() - t0:.0f} s)"
    )

    # Documents: one stored (encrypted) object shared by every row; each row its own digest.
    pdf = _pdf()
    stored = storages["default"].save("bench/shared", ContentFile(pdf))
    docs = []
    for i in range(n_documents):
        p = presentations[i % len(presentations)]
        docs.append(
            Document(
                presentation=p,
                file=stored,
                original_name=f"Annex {i + 1}.pdf",
                content_type="application/pdf",
                size=len(pdf),
                sha256=f"{i:064x}",
                uploaded_by_id=p.registered_by_id,
                uploaded_at=clock.now(),
            )
        )
    Document.objects.bulk_create(docs, batch_size=2000)
    log(f"documents: {len(docs)} ({time.perf_counter() - t0:.0f} s)")


def ensure_document_file(log=print) -> None:
    """Make the stored object the documents share a real PDF in this checkout's storage.

    The database may have been built elsewhere (another checkout, whose storage holds the file)
    or by an older version of this module (a stub pypdf cannot read): downloads would then fail
    or be refused. Rewrites the object under the name the rows use, and their size.
    """
    import io

    from pypdf import PdfReader

    storage = storages["default"]
    pdf = _pdf()
    names = set(Document.objects.filter(presentation__meeting__title__startswith=MARK).values_list("file", flat=True))
    for name in names:
        try:
            with storage.open(name, "rb") as handle:
                if PdfReader(io.BytesIO(handle.read())).pages:
                    continue
        except Exception:  # missing, unreadable with this checkout's keys, or not a PDF: written again
            pass
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(pdf))
        Document.objects.filter(file=name).update(file=saved, size=len(pdf))
        log(f"stored document {name} written again as a real PDF")
