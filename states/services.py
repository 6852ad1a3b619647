"""Loading and correcting the list of ATT States (ToR rule 6 rests on it)."""

import csv
import datetime
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.enums import Role
from dief import clock
from dief.errors import RuleViolation

from .enums import ConsentType, TreatyEventKind, TreatyStatus
from .models import State, TreatyEvent

BUNDLED_CSV = Path(__file__).resolve().parent / "data" / "att_states.csv"
REQUIRED_COLUMNS = {
    "name",
    "iso3",
    "signature_date",
    "consent_date",
    "consent_type",
    "entry_into_force",
    "status",
    "region",
}


class StatesFileError(ValueError):
    """The States file cannot be imported; the message says which line and why."""


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _date(value: str, line: int, column: str) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise StatesFileError(f"line {line}: {column} {value!r} is not an ISO 8601 date") from exc


def _events_for_row(row: dict, line: int) -> list[tuple[str, datetime.date | None, str]]:
    status = row["status"].strip()
    if status not in {s.value for s in TreatyStatus} or status == TreatyStatus.NONE:
        raise StatesFileError(f"line {line}: unknown status {status!r}")
    consent_type = row["consent_type"].strip()
    if consent_type and consent_type not in {c.value for c in ConsentType}:
        raise StatesFileError(f"line {line}: unknown consent_type {consent_type!r}")
    signed = _date(row["signature_date"], line, "signature_date")
    consented = _date(row["consent_date"], line, "consent_date")
    in_force = _date(row["entry_into_force"], line, "entry_into_force")
    events = []
    # A signature is known from its date, from a signatory status, or from a consent that
    # presupposes it (ratification, acceptance, approval); accession needs none.
    if (
        signed
        or status in (TreatyStatus.SIGNATORY, TreatyStatus.SIGNATURE_WITHDRAWN)
        or (status == TreatyStatus.STATE_PARTY and consent_type and consent_type != ConsentType.ACCESSION)
    ):
        events.append((TreatyEventKind.SIGNATURE, signed, ""))
    if status == TreatyStatus.STATE_PARTY:
        events.append((TreatyEventKind.CONSENT, consented, consent_type))
        if in_force:
            events.append((TreatyEventKind.ENTRY_INTO_FORCE, in_force, ""))
    if status == TreatyStatus.SIGNATURE_WITHDRAWN:
        events.append((TreatyEventKind.SIGNATURE_WITHDRAWN, None, ""))
    return events


@transaction.atomic
def import_states(path: Path | str = BUNDLED_CSV) -> ImportSummary:
    """Create or update every State of the CSV at ``path``, keyed by ISO alpha-3 code.

    Existing States keep their primary key and group, so every reference to them (users,
    permissions, meetings) survives a re-import; their treaty events are replaced by the
    file's. Takes a path; returns an :class:`ImportSummary`; raises :class:`StatesFileError`
    (and changes nothing) if any line is malformed. ToR rule 6 rests on this list.
    """
    summary = ImportSummary()
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
        if missing:
            raise StatesFileError(f"missing columns: {', '.join(sorted(missing))}")
        rows = list(enumerate(reader, start=2))
    seen = set()
    for line, row in rows:
        iso3 = row["iso3"].strip().upper()
        if len(iso3) != 3 or not iso3.isalpha():
            raise StatesFileError(f"line {line}: iso3 {iso3!r} is not a 3-letter code")
        if iso3 in seen:
            raise StatesFileError(f"line {line}: {iso3} appears twice")
        seen.add(iso3)
        wanted = sorted(_events_for_row(row, line), key=lambda e: e[0])
        state = State.objects.filter(iso3=iso3).first()
        if state is None:
            state = State(iso3=iso3)
            summary.created += 1
            changed = True
        else:
            have = sorted((e.kind, e.date, e.consent_type) for e in state.treaty_events.all())
            changed = have != wanted or state.name != row["name"].strip() or state.region != row["region"].strip()
            if changed:
                summary.updated += 1
            else:
                summary.unchanged += 1
        if not changed:
            continue
        state.name = row["name"].strip()
        state.region = row["region"].strip()
        state.save()
        state.treaty_events.all().delete()
        TreatyEvent.objects.bulk_create(
            TreatyEvent(state=state, kind=kind, date=date, consent_type=ctype) for kind, date, ctype in wanted
        )
    return summary


@transaction.atomic
def record_point_of_contact(*, by, state: State, email: str) -> State:
    """ToR rule 9: the Secretariat records the email address of a State's national point of
    contact, which then receives the invitations the State's delegates would (an empty
    ``email`` removes it). Returns the State; raises :class:`RuleViolation`, changing nothing."""
    if not (by.is_active and by.role == Role.SECRETARIAT):
        raise RuleViolation(_("Only Secretariat staff can do this (ToR rule 5)."), rule="5")
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            message = _("Give a valid email address for the national point of contact (ToR rule 9).")
            raise RuleViolation(message, "9") from exc
    state = State.objects.select_for_update().get(pk=state.pk)
    state.point_of_contact_email = email
    state.point_of_contact_recorded_at = clock.now()
    state.point_of_contact_recorded_by = by
    state.save(update_fields=["point_of_contact_email", "point_of_contact_recorded_at", "point_of_contact_recorded_by"])
    return state
