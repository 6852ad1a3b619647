"""Creating users and keeping their group memberships right (design.md, Access)."""

from django.contrib.auth.models import Group
from django.db import transaction

from .enums import SECRETARIAT_GROUP, Role
from .models import User


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
    """Create a user with its role and State and the matching groups; returns the user."""
    user = User(username=username, role=role, state=state, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    sync_groups(user)
    return user
