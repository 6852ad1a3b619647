import base64
import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import Role
from accounts.models import User
from accounts.services import create_user, grant_directly
from agendas import services as agenda_services
from briefings import services as briefing_services
from demo.personas import PERSONAS, backup_codes_for, password_for, totp_key_hex
from dief import clock
from experts import services as expert_services
from experts.enums import ApprovedHow, ProposalStatus
from experts.models import ExpertProposal
from meetings import services as meeting_services
from meetings.deadlines import silence_procedure_ends_at
from meetings.enums import HostSession, InvitationStatus
from meetings.models import ChairAppointment, DelegationRegistration, Invitation, Meeting, ToRVersion
from presentations import services as presentation_services
from presentations.models import Presentation
from states.models import State
from twofactor.services import store_backup_codes


class Command(BaseCommand):
    help = "Create demo accounts (with two-factor devices), a Chair appointment and demo meetings."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the logins")

    def handle(self, *args, quiet_logins=False, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo is refused with DIEF_ENV=production.")
        if not State.objects.exists():
            raise CommandError("Import the States first: python manage.py import_states")
        with transaction.atomic():
            users = {p[0]: self._persona(*p) for p in PERSONAS}
            self._chair(users)
            self._meetings(users)
            self._platform(users)
        if not quiet_logins:
            self._print_logins()

    def _persona(self, username, role, iso3, participant_role, first, last, language, tz, _description):
        user = User.objects.filter(username=username).first()
        if user is None:
            state = State.objects.get(iso3=iso3) if iso3 else None
            # Roles that open confidential content are confirmed grants, made here directly as
            # the command-line bootstrap of the first Secretariat officer does.
            administrator = role == Role.ADMINISTRATOR
            user = create_user(
                username,
                password_for(username),
                role=role if administrator else Role.NONE,
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
                language=language,
                time_zone=tz,
                is_staff=administrator,
                is_superuser=administrator,
            )
            if not administrator:
                grant_directly(user, role=role, state=state, participant_role=participant_role)
                user.refresh_from_db()
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="authenticator", key=totp_key_hex(username), confirmed=True)
            store_backup_codes(user, backup_codes_for(username))
        return user

    def _chair(self, users):
        today = clock.today_in(settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE)
        if not ChairAppointment.objects.in_office_on(today).exists():
            ChairAppointment.objects.create(
                chair=users["chair"],
                appointed_by=users["president"],
                appointed_on=today - datetime.timedelta(days=90),
                term_ends_with="the following CSP",
                term_ends_on=today + datetime.timedelta(days=300),
                confirmed_by=users["secretariat"],
                confirmed_at=clock.now(),
            )

    def _meetings(self, users):
        if Meeting.objects.exists():
            return
        today = clock.today_in(settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE)
        start = today + datetime.timedelta(days=75)
        meeting = meeting_services.convene_meeting(
            by=users["secretariat"],
            title="DIEF meeting during the first preparatory session",
            start_date=start,
            end_date=start,
            venue="CICG, Geneva",
            host_session=HostSession.PREPARATORY,
            host_session_name="First informal preparatory meeting",
            procedural_time_zone="Europe/Zurich",
            convened_by=users["president"],
            convened_on=today - datetime.timedelta(days=10),
            consulted_chair=True,
        )
        meeting_services.update_invitation_text(
            by=users["secretariat"],
            meeting=meeting,
            additional_text="Interpretation in English, French and Spanish will be provided.",
        )
        presentation = presentation_services.register_presentation(
            by=users["delegate_fra"],
            meeting=meeting,
            kind="case",
            title="Small arms diverted through a transshipment port",
            summary="A consignment of rifles authorised for a state end user was re-exported without authorisation "
            "through a transshipment port. We will present how it was detected and the measures taken.",
        )
        presentation_services.notify_involved_states(
            by=users["delegate_fra"], presentation=presentation, states=[users["delegate_mex"].state]
        )
        presentation_services.submit_reply(
            by=users["delegate_mex"],
            presentation=presentation,
            text="We confirm we were consulted and will share the results of our own investigation.",
        )
        presentation_services.register_delegation(
            by=users["delegate_fra"], meeting=meeting, members=[users["delegate_fra"]]
        )
        agenda_services.add_item(by=users["secretariat"], meeting=meeting, title="Opening of the meeting")
        agenda_services.add_item(by=users["secretariat"], meeting=meeting, title="", presentation=presentation)
        # ToR rule 8: France proposes a non-state expert; the proposal is distributed now and
        # its silence procedure runs for five days.
        expert_services.propose_expert(
            by=users["delegate_fra"],
            presentation=presentation,
            expert_name="Dr Jeanne Exemple",
            expert_affiliation="Institut d'études des armes légères (fictitious)",
            expert_email="jeanne.exemple@example.org",
            expertise=["investigating", "identifying"],
            purpose="Explain how the serial numbers of the diverted rifles were traced.",
        )
        self._approved_expert(users, presentation)
        self._past_meeting(users)

    def _approved_expert(self, users, presentation):
        """A second expert on France's case, proposed eight days ago and approved when its silence
        procedure ended without objection (ToR rule 8), recorded as history like the past meeting.
        Its account (``expert_fra``) is enrolled; it has yet to acknowledge the confidentiality
        obligation, and sees nothing of the meeting until it does (ToR rule 15)."""
        meeting = presentation.meeting
        distributed = clock.now() - datetime.timedelta(days=8)
        silence_ends = silence_procedure_ends_at(distributed, meeting.procedural_time_zone, meeting.tor_version)
        expert = users["expert_fra"]
        ExpertProposal.objects.create(
            meeting=meeting,
            presentation=presentation,
            proposing_state=presentation.presenting_state,
            proposed_by=users["delegate_fra"],
            expert_name=expert.get_full_name(),
            expert_affiliation="Centre for the tracing of small arms (fictitious)",
            expert_email=expert.email,
            expertise=["identifying"],
            purpose="Present the forensic tracing of the rifles' markings.",
            status=ProposalStatus.APPROVED,
            distributed_at=distributed,
            silence_ends_at=silence_ends,
            decided_at=silence_ends,
            approved_how=ApprovedHow.SILENCE,
            expert_user=expert,
        )

    def _past_meeting(self, users):
        """A meeting held two months ago, with delegations, a case and the Chair's draft briefing
        outline (ToR rule 22). It is history: no deadline of it is scheduled any more."""
        today = clock.today_in(settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE)
        start = today - datetime.timedelta(days=60)
        meeting = Meeting.objects.create(
            title="DIEF meeting during the previous Conference",
            start_date=start,
            end_date=start,
            venue="CICG, Geneva",
            host_session=HostSession.CSP,
            host_session_name="Previous Conference of States Parties",
            procedural_time_zone="Europe/Zurich",
            tor_version=ToRVersion.in_force_on(start - datetime.timedelta(days=120)),
            convened_by=users["president"],
            convened_on=start - datetime.timedelta(days=120),
            consulted_chair=True,
            created_by=users["secretariat"],
        )
        Invitation.objects.create(
            meeting=meeting,
            status=InvitationStatus.SENT,
            sent_at=clock.now() - datetime.timedelta(days=120),
            sent_by=users["secretariat"],
        )
        meeting_services.sync_meeting_access(meeting)
        now = clock.now()
        for key in ("delegate_fra", "delegate_mex", "chair", "delegate_bgd"):
            registration = DelegationRegistration.objects.create(
                meeting=meeting, state=users[key].state, registered_at=now, registered_by=users[key]
            )
            registration.members.set([users[key]])
        case = Presentation.objects.create(
            meeting=meeting,
            presenting_state=users["delegate_mex"].state,
            registered_by=users["delegate_mex"],
            registered_at=now - datetime.timedelta(days=90),
            kind="case",
            title="Ammunition diverted from a stockpile during transfer",
            summary="How a loss during a road transfer was detected and traced.",
        )
        presentation_services.sync_presentation_access(case)
        briefing_services.draft_briefing(
            by=users["chair"],
            meeting=meeting,
            text="Major trends: diversion during in-country transfers of ammunition; small consignments split "
            "across several shipments.\n\nGeneral lessons: physical security of stockpiles during transport; "
            "timely exchange between licensing and enforcement authorities.\n\nIssues for policy discussion in "
            "the WGETI: post-shipment controls and information sharing on lost or stolen items.",
            presentations=[case],
        )

    def _platform(self, users):
        """A few records on the information exchange platform (ToR rules 13, 15, 16, 18-20)."""
        from dief.confidentiality import Classification
        from exchange import services as exchange_services
        from exchange.enums import Audience
        from exchange.models import Record
        from presentations.models import Presentation

        if Record.objects.exists():
            return
        for user in users.values():  # the command acts for these users, as their requests would
            user.is_verified = lambda: True
        fra, mex, bgd = users["delegate_fra"], users["delegate_mex"], users["delegate_bgd"]
        presentation = Presentation.objects.filter(presenting_state=fra.state).first()
        port = exchange_services.share_record(
            by=fra,
            title="Rifles re-exported through a transshipment port",
            audience=Audience.ALL_ELIGIBLE,
            information_types=["b", "e", "f"],
            presentation=presentation,
            diversion_details="Rifles authorised for a State end user were re-exported without authorisation.",
            discovery_details="Detected by a post-shipment verification that found the crates empty.",
            discovery_timeliness="Eight months after delivery.",
            ways_and_methods="Relabelled as agricultural machinery parts; forged bills of lading.",
            investigation_status="ongoing",
            routes="Port of export - transshipment port - land route to the final destination.",
            countries=[mex.state],
        )
        exchange_services.share_record(
            by=fra,
            title="Broker offering forged end-user certificates",
            audience=Audience.CHOSEN,
            states=[mex.state, bgd.state],
            information_types=["a", "c"],
            classification=Classification.DELEGATES_ONLY,
            diversion_details="A broker offered end-user certificates of a ministry that never issued them.",
            actors_involved="One broker registered in a free zone.",
            investigation_status="closed",
        )
        exchange_services.share_record(
            by=mex,
            title="Ammunition diverted from a private security company",
            audience=Audience.ALL_ELIGIBLE,
            information_types=["d", "g"],
            diversion_details="Ammunition declared lost by a licensed private security company.",
            investigation_status="ongoing",
        )
        exchange_services.share_with_authority(by=fra, recipient=users["authority_fra"], record=port)
        exchange_services.request_operational_use(
            by=mex, record=port, purpose="enforcement", explanation="To support our own proceedings."
        )
        contact = exchange_services.submit_contact(
            by=fra, authority="Direction générale des douanes", contact="enforcement-contact@example.org"
        )
        exchange_services.verify_contact(by=users["secretariat"], contact=contact)
        returned = exchange_services.submit_contact(
            by=mex, authority="Agencia Nacional de Aduanas", contact="Unidad de enlace: 55 0000 0000"
        )
        exchange_services.return_contact(
            by=users["secretariat"],
            contact=returned,
            reason="The telephone number needs the country code (+52) so that other States can call it.",
        )

    def _print_logins(self):
        url = settings.SITE_URL.rstrip("/")
        self.stdout.write("")
        self.stdout.write(f"dief is at {url}/  (demo data; every login needs a second factor)")
        self.stdout.write("Second factor: add the secret to an authenticator app, or print the current code with")
        self.stdout.write(
            "  .venv/bin/python manage.py demo_totp USERNAME      or use one of the backup codes (single use)."
        )
        self.stdout.write("")
        for username, _role, _iso3, _pr, _f, _l, _lang, _tz, description in PERSONAS:
            secret = base64.b32encode(bytes.fromhex(totp_key_hex(username))).decode().rstrip("=")
            self.stdout.write(f"  {username:<14} password {password_for(username):<28} {description}")
            self.stdout.write(f"  {'':<14} TOTP secret {secret}  backup codes {' '.join(backup_codes_for(username))}")
        self.stdout.write("")
