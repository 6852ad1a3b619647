"""The one meeting (and everything hanging off it) that the permission matrix walks.

Switzerland (CHE, a State Party) presents a case, provides the information records and
proposes experts; Bangladesh (BGD, a signatory State) is the involved State and the chosen
audience of one record; both registered delegations. France (FRA, a State Party) neither
presents, is involved, registered nor was chosen. The Chair is a delegate of Mexico (MEX),
so Chair rights are never confused with the presenting or providing State's.
"""

import datetime

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.enums import ParticipantRole, Role
from dief import clock
from dief.testing import UserFactory, appoint_chair, make_state, meeting_factory, pdf_bytes

#: Text in every confidential object of the world: a page that refuses shows none of it.
SECRET = "Matrix secret"


def build_world() -> dict:
    """Personas and one object for every URL keyword; returns ``{"users": {...}, "ids": {...}}``."""
    from agendas.models import Agenda, AgendaItem
    from briefings.models import Briefing, FollowUpArrangement
    from documents.models import Document
    from experts.models import ConfidentialityAcknowledgement, ExpertProposal, Objection
    from experts.services import CONFIDENTIALITY_TEXT_VERSION, confidentiality_text
    from meetings.models import ChairAppointment, DelegationRegistration
    from presentations.models import InvolvedState, Presentation, Reply
    from presentations.services import sync_presentation_access
    from sponsorship.models import SponsorshipRequest

    che = make_state("CHE", name="Switzerland", status="state_party")
    fra = make_state("FRA", name="France", status="state_party", consented=datetime.date(2014, 4, 2))
    bgd = make_state("BGD", name="Bangladesh", status="signatory", signed=datetime.date(2013, 9, 26))
    mex = make_state("MEX", name="Mexico", status="state_party")
    secretariat = UserFactory(username="m_secretariat", role=Role.SECRETARIAT, participant_role="")
    president = UserFactory(username="m_president", role=Role.CSP_PRESIDENT, participant_role="")
    chair = UserFactory(username="m_chair", state=mex, participant_role=ParticipantRole.POLICY)
    appointment = appoint_chair(chair, appointed_on=datetime.date(2020, 1, 1), term_ends_on=datetime.date(2099, 12, 31))
    party = UserFactory(username="m_party", state=che)
    signatory = UserFactory(username="m_signatory", state=bgd, participant_role=ParticipantRole.POLICY)
    other = UserFactory(username="m_other", state=fra)
    na_shared = UserFactory(username="m_na_shared", role=Role.NATIONAL_AUTHORITY, state=che, participant_role="")
    na_unshared = UserFactory(username="m_na_none", role=Role.NATIONAL_AUTHORITY, state=che, participant_role="")
    expert = UserFactory(
        username="m_expert", role=Role.EXPERT, state=che, participant_role="", email="expert@example.net"
    )
    superuser = UserFactory(
        username="m_root", role=Role.ADMINISTRATOR, participant_role="", is_superuser=True, is_staff=True
    )
    password_only = UserFactory(username="m_pw_only", state=che)

    meeting = meeting_factory(
        start_date=datetime.date(2099, 3, 20), created_by=secretariat, convened_by=president, title=f"{SECRET} meeting"
    )
    now = clock.now()
    for state, member in ((che, party), (bgd, signatory)):
        registration = DelegationRegistration.objects.create(
            meeting=meeting, state=state, registered_at=now, registered_by=member
        )
        registration.members.set([member])
    # Objects of different kinds never share an id (901...): a URL given the wrong kind's id 404s.
    presentation = Presentation.objects.create(
        pk=901,
        meeting=meeting,
        presenting_state=che,
        registered_by=party,
        registered_at=now,
        kind="case",
        title=f"{SECRET} case",
        summary=f"{SECRET} summary",
    )
    involved = InvolvedState.objects.create(pk=902, presentation=presentation, state=bgd, notified_at=now)
    Reply.objects.create(
        presentation=presentation, state=bgd, text=f"{SECRET} reply", submitted_by=signatory, submitted_at=now
    )
    sync_presentation_access(presentation)
    document = Document(
        presentation=presentation,
        original_name="matrix-secret.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=party,
        uploaded_at=now,
    )
    document.file.save("x", SimpleUploadedFile("x", pdf_bytes(SECRET)), save=False)
    document.save()
    # The invitation is sent and the agenda distributed: every eligible State sees them (rules 9, 10).
    meeting.invitation.status, meeting.invitation.sent_at, meeting.invitation.sent_by = "sent", now, secretariat
    meeting.invitation.save()
    agenda = Agenda.objects.create(
        meeting=meeting,
        created_at=now,
        status="distributed",
        approved_at=now,
        approved_by=appointment,
        distributed_at=now,
    )
    item = AgendaItem.objects.create(
        pk=903, agenda=agenda, position=1, title=f"{SECRET} item", presentation=presentation
    )
    AgendaItem.objects.create(agenda=agenda, position=2, title=f"{SECRET} item 2")

    # The expert: approved, account opened, the confidentiality obligation acknowledged.
    approved = ExpertProposal.objects.create(
        pk=905,
        meeting=meeting,
        presentation=presentation,
        proposing_state=che,
        proposed_by=party,
        expert_name=f"{SECRET} expert",
        expert_affiliation="Institute",
        expert_email="expert@example.net",
        expertise=["investigating"],
        purpose=f"{SECRET} purpose",
        status="approved",
        distributed_at=now,
        silence_ends_at=now,
        decided_at=now,
        approved_how="silence",
        expert_user=expert,
    )
    from guardian.shortcuts import assign_perm

    ConfidentialityAcknowledgement.objects.create(
        proposal=approved,
        expert=expert,
        text_version=CONFIDENTIALITY_TEXT_VERSION,
        text=confidentiality_text(),
        acknowledged_at=now,
    )
    assign_perm("meetings.view_meeting", expert, meeting)
    assign_perm("presentations.view_presentation", expert, presentation)
    # A second proposal, objected to by France: its consultation is France's and Switzerland's.
    objected = ExpertProposal.objects.create(
        pk=906,
        meeting=meeting,
        presentation=presentation,
        proposing_state=che,
        proposed_by=party,
        expert_name=f"{SECRET} second expert",
        expert_affiliation="Institute",
        expert_email="second@example.net",
        expertise=["investigating"],
        purpose=f"{SECRET} purpose",
        status="in_consultation",
        distributed_at=now,
        silence_ends_at=now + datetime.timedelta(days=5),
    )
    objection = Objection.objects.create(
        pk=907, proposal=objected, state=fra, reason=f"{SECRET} reason", objected_by=other, objected_at=now
    )

    briefing = Briefing.objects.create(
        pk=908, meeting=meeting, text=f"{SECRET} outline", drafted_by=chair, drafted_at=now, edited_at=now
    )
    briefing.presentations.set([presentation])
    arrangement = FollowUpArrangement.objects.create(
        pk=909,
        meeting=meeting,
        what=f"{SECRET} arrangement",
        contact_route=f"{SECRET} route",
        created_by=party,
        created_at=now,
        updated_at=now,
        secretariat_added_at=now,
    )
    arrangement.states.set([che, bgd])
    sponsorship = SponsorshipRequest.objects.create(
        pk=910, meeting=meeting, state=che, requested_by=party, requested_at=now
    )

    # Accounts: a pending role grant, a Chair appointment awaiting confirmation, an enrolment link.
    from accounts.enrolment import link_path, send_enrolment_link
    from accounts.models import EnrolmentLink, RoleGrant

    newcomer = UserFactory(username="m_newcomer", role=Role.NONE, state=None, participant_role="")
    grant = RoleGrant.objects.create(
        pk=911, user=newcomer, role=Role.DELEGATE, state=fra, requested_by=secretariat, requested_at=now
    )
    pending_chair = ChairAppointment.objects.create(
        pk=912,
        chair=other,
        appointed_on=datetime.date(2099, 12, 31),
        term_ends_on=datetime.date(2100, 12, 31),
        term_ends_with="CSP next",
    )
    send_enrolment_link(newcomer, by=secretariat)
    enrolment = link_path(EnrolmentLink.objects.get(user=newcomer))

    records = _exchange(party=party, signatory=signatory, na_shared=na_shared, bgd=bgd, presentation=presentation)
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    attempt = AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", failures_since_start=1)
    access_log = AccessLog.objects.create(username="x", ip_address="10.0.0.1")
    failure_log = AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1", locked_out=False)
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    ids = {
        "meeting": meeting.pk,
        "presentation": presentation.pk,
        "involved": involved.pk,
        "item": item.pk,
        "token": document.token,
        "document": document.pk,
        "proposal": objected.pk,
        "objection": objection.pk,
        "briefing": briefing.pk,
        "arrangement": arrangement.pk,
        "sponsorship": sponsorship.pk,
        "grant": grant.pk,
        "pending_chair": pending_chair.pk,
        "state": bgd.pk,
        "enrolment": enrolment,
        "uidb64": urlsafe_base64_encode(force_bytes(party.pk)),
        "admin": {
            "auth_group": Group.objects.get(name="State:CHE").pk,
            "axes_accessattempt": attempt.pk,
            "axes_accesslog": access_log.pk,
            "axes_accessfailurelog": failure_log.pk,
            "auditlog_logentry": LogEntry.objects.order_by("pk").first().pk,
            "accounts_user": party.pk,
            "accounts_rolegrant": grant.pk,
            "states_state": bgd.pk,
            "meetings_torversion": meeting.tor_version_id,
        },
        "meeting_content_type": ContentType.objects.get_for_model(type(meeting)).pk,
        "records": records,
    }
    users = {
        "secretariat": secretariat,
        "chair": chair,
        "party": party,
        "signatory": signatory,
        "other": other,
        "authority_shared": na_shared,
        "authority_unshared": na_unshared,
        "expert": expert,
        "superuser": superuser,
        "password_only": password_only,
        "president": president,
    }
    return {"users": users, "ids": ids, "states": {"che": che, "fra": fra, "bgd": bgd, "mex": mex}}


def _exchange(*, party, signatory, na_shared, bgd, presentation) -> dict:
    """Two records of Switzerland, one per audience (all eligible States; Bangladesh chosen),
    each with a document shared (record and document, explicitly) with ``na_shared``, a
    proposal to lift its classification and a request for operational use by Bangladesh."""
    from exchange import services
    from exchange.enums import Audience

    out = {}
    for audience in ("all", "chosen"):
        record = services.share_record(
            by=party,
            title=f"{SECRET} record {audience}",
            audience=Audience.ALL_ELIGIBLE if audience == "all" else Audience.CHOSEN,
            states=[bgd],
            information_types=["a"],
        )
        document = services.add_record_document(
            by=party, record=record, uploaded=SimpleUploadedFile("m.pdf", pdf_bytes(SECRET))
        )
        share = services.share_with_authority(by=party, recipient=na_shared, record=record)
        services.share_with_authority(by=party, recipient=na_shared, document=document)
        proposal = services.propose_lift(by=party, target=record, classification=0, version=1)
        use = services.request_operational_use(by=signatory, record=record, purpose="other")
        out[audience] = {
            "record": record.pk,
            "document": document.pk,
            "token": document.token,
            "share": share.pk,
            "lift": proposal.pk,
            "use": use.pk,
        }
    concern = services.raise_concern(by=party, concerned_state=bgd, description=f"{SECRET} concern")
    contact = services.submit_contact(by=party, authority=f"{SECRET} customs", contact="+41")
    out["concern"] = concern.pk
    out["contact"] = contact.pk
    return out
