"""The first Secretariat officer, made on the server's command line (nobody in the application
can make one alone: later officers are confirmed by an existing one)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.enrolment import send_enrolment_link
from accounts.enums import Role
from accounts.models import User
from accounts.services import create_user, grant_directly
from dief.errors import RuleViolation


class Command(BaseCommand):
    help = (
        "Make a Secretariat officer from the server's command line: a new account (or an existing one "
        "without technical administrator rights) gets the Secretariat role, recorded in the audit "
        "trail, and a new account is emailed its single-use enrolment link."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, username, email, first_name="", last_name="", **options):
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = create_user(
                    username, None, role=Role.NONE, email=email, first_name=first_name, last_name=last_name
                )
            elif user.email != email:
                raise CommandError(f"{username} exists with another email address; nothing changed.")
            if user.is_staff or user.is_superuser:
                raise CommandError("A technical administrator's account cannot be a Secretariat officer.")
            try:
                grant_directly(user, role=Role.SECRETARIAT)
            except RuleViolation as exc:
                raise CommandError(str(exc)) from None
            try:
                send_enrolment_link(user, by=None)
            except RuleViolation as exc:
                self.stdout.write(f"No enrolment link sent: {exc}")
            else:
                self.stdout.write(f"An enrolment link was sent to {email}.")
        self.stdout.write(self.style.SUCCESS(f"{username} is a Secretariat officer."))
