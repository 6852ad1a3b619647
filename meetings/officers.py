"""Whether a delegation includes an enforcement officer (ToR rule 7), stored on the delegation.

``DelegationRegistration.includes_enforcement_officer`` is a stored copy of one fact about the
delegation's members: that one of them has an :data:`OFFICER_ROLES` participant role. The
participation figures and the delegations page count it instead of joining every member to
its user. Nothing is decided here: the copy is rewritten from the members themselves
(:func:`refresh`: the rows locked, then one ``UPDATE``) in the transaction of every change that can alter it:

* the members of a delegation change: ``members.add / remove / set / clear``, from either side
  (``m2m_changed``);
* a member's participant role changes: a user saved with ``participant_role`` among the saved
  fields (``accounts.services`` changes it only through a confirmed grant);
* a member is deleted (their membership rows go with them).

Writes that send no signal (membership rows written as rows of ``members.through``, which
Django sends no signal for; ``QuerySet.update`` of participant roles) call :func:`refresh`
themselves, as ``benchmarks/data.py`` does. ``meetings/tests/test_officer_flag.py`` pins every
path against the members, and finds no such write elsewhere in the code.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from accounts.enums import ParticipantRole
from accounts.models import User

from .models import DelegationRegistration

#: ToR rule 7: "representation by enforcement officers in its meetings is strongly encouraged".
OFFICER_ROLES = (ParticipantRole.ENFORCEMENT,)

Member = DelegationRegistration.members.through


def officer_among_members():
    """True for a delegation (``OuterRef("pk")``) with a member of an :data:`OFFICER_ROLES` role."""
    return Exists(
        Member.objects.filter(delegationregistration_id=OuterRef("pk"), user__participant_role__in=OFFICER_ROLES)
    )


def refresh(registrations) -> None:
    """Rewrite the stored fact of ``registrations`` (a queryset of delegations, or their ids)
    from their members.

    The delegations' rows are locked first (in id order), then rewritten by a statement of its
    own: one that had to wait for another transaction's rewrite reads the members as that one
    left them. In a single ``UPDATE`` the members would be read as they were when it began, and
    a role change racing a member change could leave the fact stale."""
    if not isinstance(registrations, QuerySet):
        registrations = DelegationRegistration.objects.filter(pk__in=list(registrations))
    with transaction.atomic():
        locked = list(registrations.order_by("pk").select_for_update(of=("self",)).values_list("pk", flat=True))
        if locked:
            DelegationRegistration.objects.filter(pk__in=locked).update(
                includes_enforcement_officer=officer_among_members()
            )


def _members_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse:  # instance is a user; pk_set the delegations (None on clear)
        if action == "pre_clear":
            instance._delegations_cleared = list(instance.delegations.values_list("pk", flat=True))
        elif action == "post_clear":
            refresh(instance.__dict__.pop("_delegations_cleared", []))
        elif action in ("post_add", "post_remove") and pk_set:
            refresh(pk_set)
    elif action in ("post_add", "post_remove", "post_clear"):
        refresh([instance.pk])


def _user_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if created and not raw:
        return  # a new account is in no delegation yet
    if update_fields is not None and "participant_role" not in update_fields:
        return
    refresh(DelegationRegistration.objects.filter(members=instance))


def _user_deleting(sender, instance, **kwargs):
    instance._delegations_left = list(instance.delegations.values_list("pk", flat=True))


def _user_deleted(sender, instance, **kwargs):
    refresh(instance.__dict__.pop("_delegations_left", []))


def register() -> None:
    """Keep the stored fact with the members (``MeetingsConfig.ready``)."""
    m2m_changed.connect(_members_changed, sender=Member, dispatch_uid="meetings.officers.members")
    post_save.connect(_user_saved, sender=User, dispatch_uid="meetings.officers.user")
    pre_delete.connect(_user_deleting, sender=User, dispatch_uid="meetings.officers.user_deleting")
    post_delete.connect(_user_deleted, sender=User, dispatch_uid="meetings.officers.user_deleted")
