"""Creating users, keeping their group memberships right, and granting roles (design.md, Access).

A role or State that opens confidential content is granted or changed only when a Secretariat
officer who is neither the requester nor the user confirms it; a technical administrator
therefore reaches no confidential content, whatever it does in the admin. The first
Secretariat officer is made on the server's command line (``create_secretariat_officer``).
"""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dief import clock
from dief.errors import RuleViolation

from .enums import CONFIDENTIAL_ROLES, SECRETARIAT_GROUP, GrantStatus, Role
from .models import RoleGrant, User


def sync_groups(user: User) -> None:
    """Put ``user`` in exactly the groups its role and State call for.

    Delegates and national authority users join their State's group only as delegates:
    a national authority user sees only what its delegates share (ToR rule 16), so it gets
    no group membership. Secretariat staff join the Secretariat group.
    """
    wanted = set()
    if user.role == Role.DELEGATE and user.state_id:
        wanted.add(user.state.group_id)
    if user.role == Role.SECRETARIAT:
        wanted.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0].pk)
    managed = set(Group.objects.filter(name__startswith="State:").values_list("pk", flat=True))
    managed.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0].pk)
    current = set(user.groups.values_list("pk", flat=True))
    user.groups.remove(*((current & managed) - wanted))
    user.groups.add(*(wanted - current))


@transaction.atomic
def create_user(username: str, password: str | None, *, role: str, state=None, **fields) -> User:
    """Create a user with its role and State and the matching groups; returns the user.

    For the command line, the demo and other services: it grants ``role`` directly. The
    application's pages and the admin create accounts with no role (``Role.NONE``) and ask
    for one through :func:`request_grant`.
    """
    user = User(username=username, role=role, state=state, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    sync_groups(user)
    return user


def opens_confidential_content(role: str, state=None) -> bool:
    """True if holding ``role`` (with ``state``) reaches confidential content (ToR rule 14)."""
    return role in CONFIDENTIAL_ROLES or state is not None


def _validate(user: User, role: str, state, participant_role: str) -> None:
    candidate = User(
        pk=user.pk,
        username=user.username,
        role=role,
        state=state,
        participant_role=participant_role,
        is_superuser=user.is_superuser,
        language=user.language,
        time_zone=user.time_zone,
    )
    try:
        candidate.clean()
    except ValidationError as exc:
        raise RuleViolation(" ".join(exc.messages)) from None


def _apply(user: User, grant: RoleGrant) -> None:
    user.role, user.state, user.participant_role = grant.role, grant.state, grant.participant_role
    user.save(update_fields=["role", "state", "participant_role"])
    sync_groups(user)


def check_grant_request(user: User, *, by: User | None, role: str, state=None, participant_role: str = "") -> None:
    """Raise :class:`RuleViolation` if ``by`` may not ask for this grant (see :func:`request_grant`)."""
    if by is not None and by.pk == user.pk:
        raise RuleViolation(_("Nobody asks for a role or a State for their own account."))
    if opens_confidential_content(role, state) and (user.is_staff or user.is_superuser):
        raise RuleViolation(
            _("A technical administrator's account takes no role that opens confidential content; use another account.")
        )
    _validate(user, role, state, participant_role if role == Role.DELEGATE else "")


def request_grant(user: User, *, by: User | None, role: str, state=None, participant_role: str = "") -> RoleGrant:
    """Ask that ``user`` hold ``role`` (for ``state``, with ``participant_role``); returns the grant.

    A grant that opens confidential content (:func:`opens_confidential_content`), or that takes
    such a role or State away, stays pending and changes nothing until :func:`confirm_grant`;
    it replaces an earlier pending one. Only a grant between roles that open nothing (no role,
    technical administrator) applies at once: nobody alone locks a State's delegates out or
    frees their account for another email address. Raises
    :class:`RuleViolation` if ``by`` asks for itself, if the account is a technical
    administrator's (staff, superuser) and the role opens confidential content, or if the
    combination is not valid (a delegate has a State and a participant role, ToR rule 7).
    """
    check_grant_request(user, by=by, role=role, state=state, participant_role=participant_role)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        now = clock.now()
        RoleGrant.objects.filter(user=user, status=GrantStatus.PENDING).update(
            status=GrantStatus.SUPERSEDED, decided_at=now
        )
        grant = RoleGrant.objects.create(
            user=user,
            role=role,
            state=state,
            participant_role=participant_role if role == Role.DELEGATE else "",
            requested_by=by,
            requested_at=now,
        )
        if not opens_confidential_content(role, state) and not opens_confidential_content(user.role, user.state):
            grant.status, grant.decided_by, grant.decided_at = GrantStatus.CONFIRMED, by, now
            grant.save(update_fields=["status", "decided_by", "decided_at"])
            _apply(user, grant)
    return grant


def confirm_grant(grant: RoleGrant, *, by: User) -> str:
    """A Secretariat officer confirms the pending ``grant``: the user then holds its role and
    State (and their groups). Returns a message. Raises :class:`RuleViolation` if ``by`` is not
    a Secretariat officer, requested the grant or is its user, or if the grant is no longer
    pending (decided on the version it was shown: a row lock, so two clicks confirm once)."""
    if not by.is_secretariat:
        raise RuleViolation(_("Only a Secretariat officer confirms a role."))
    with transaction.atomic():
        grant = RoleGrant.objects.select_for_update(of=("self",)).select_related("user", "state").get(pk=grant.pk)
        if grant.status != GrantStatus.PENDING:
            raise RuleViolation(_("This request has already been decided."))
        if by.pk in (grant.requested_by_id, grant.user_id):
            raise RuleViolation(
                _("A Secretariat officer other than the requester and the account's owner must confirm it.")
            )
        user = User.objects.select_for_update().get(pk=grant.user_id)
        _validate(user, grant.role, grant.state, grant.participant_role)
        grant.status, grant.decided_by, grant.decided_at = GrantStatus.CONFIRMED, by, clock.now()
        grant.save(update_fields=["status", "decided_by", "decided_at"])
        _apply(user, grant)
    return _("The role of %(username)s is confirmed.") % {"username": user.username}


def refuse_grant(grant: RoleGrant, *, by: User) -> str:
    """A Secretariat officer refuses the pending ``grant``; nothing changes for the user.
    Returns a message; raises :class:`RuleViolation` as :func:`confirm_grant`."""
    if not by.is_secretariat:
        raise RuleViolation(_("Only a Secretariat officer confirms a role."))
    with transaction.atomic():
        grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.status != GrantStatus.PENDING:
            raise RuleViolation(_("This request has already been decided."))
        grant.status, grant.decided_by, grant.decided_at = GrantStatus.REFUSED, by, clock.now()
        grant.save(update_fields=["status", "decided_by", "decided_at"])
    return _("The request is refused; nothing changed.")


def grant_directly(user: User, *, role: str, state=None, participant_role: str = "") -> RoleGrant:
    """Give ``user`` ``role`` at once, recorded as made on the server's command line: for the
    first Secretariat officer (``manage.py create_secretariat_officer``) and the demo data
    only, which someone with shell access to the server runs. Returns the grant."""
    _validate(user, role, state, participant_role)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        now = clock.now()
        RoleGrant.objects.filter(user=user, status=GrantStatus.PENDING).update(
            status=GrantStatus.SUPERSEDED, decided_at=now
        )
        grant = RoleGrant.objects.create(
            user=user,
            role=role,
            state=state,
            participant_role=participant_role,
            status=GrantStatus.CONFIRMED,
            requested_at=now,
            decided_at=now,
            by_command_line=True,
        )
        _apply(user, grant)
    return grant
