"""The single-use enrolment link: how a new account gets its own password and second factor.

Nobody chooses a password for someone else: an account is created without a usable password,
and :func:`send_enrolment_link` emails its owner a link that lets them set their own password,
once, and then enrol their authenticator app in the session that link opened.
"""

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from dief import clock
from dief.errors import RuleViolation

from .models import EnrolmentLink, User

#: Session key holding the id of the link whose password step this session completed.
ENROLMENT_SESSION_KEY = "dief_enrolment_link"
NOTIFICATION_KIND = "enrolment_link"


def link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.DIEF_ENROLMENT_LINK_HOURS)


def link_token(link: EnrolmentLink) -> str:
    """The secret part of ``link``'s URL: an HMAC (keyed by ``SECRET_KEY``) of the link and the
    email address it was sent to. Never stored."""
    value = f"{link.pk}:{link.nonce}:{link.user.email.lower()}"
    return salted_hmac("dief.accounts.enrolment-link", value, algorithm="sha256").hexdigest()


def link_path(link: EnrolmentLink) -> str:
    """The site-relative URL of ``link`` (with its secret)."""
    return reverse("enrolment_link", args=[link.pk, link_token(link)])


def has_confirmed_second_factor(user: User) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def send_enrolment_link(user: User, *, by: User | None) -> None:
    """Queue an email to ``user`` with a single-use link, valid ``DIEF_ENROLMENT_LINK_HOURS``
    hours, to set their own password and enrol their second factor.

    ``by`` is who asked for it (recorded on the link; the caller's service decides who may).
    An earlier unused link of the same user stops working. Raises :class:`RuleViolation` if
    the account is inactive, has no email address, or already has a second factor (it must
    be removed first: the link never replaces a working second factor).
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise RuleViolation(_("This account is inactive: no enrolment link is sent."))
        if not user.email:
            raise RuleViolation(_("This account has no email address to send the enrolment link to."))
        if has_confirmed_second_factor(user):
            raise RuleViolation(
                _("This account already has a second factor; an enrolment link is only for an account without one.")
            )
        now = clock.now()
        EnrolmentLink.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
        link = EnrolmentLink.objects.create(
            user=user,
            sent_by=by,
            nonce=secrets.token_hex(32),
            created_at=now,
            expires_at=now + link_lifetime(),
        )
        from notifications.models import Notification
        from notifications.services import queue

        event = f"enrolment-link:{link.pk}"
        queue(
            event,
            [user],
            NOTIFICATION_KIND,
            context={"enrolment_link_id": link.pk, "expires_at": link.expires_at.isoformat()},
        )
        # The link concerns the account, whatever role a confirmed grant gives it before the
        # email leaves: the outbox's "same role and State as when queued" check does not apply.
        Notification.objects.filter(event=event, recipient=user, kind=NOTIFICATION_KIND).update(
            recipient_role="", recipient_state_id=None
        )


def add_email_context(notification, context: dict) -> None:
    """Outbox context provider: for an enrolment link email, add the link's full URL and its
    expiry to ``context`` (computed when the email is sent; the URL is never stored)."""
    if notification.kind != NOTIFICATION_KIND:
        return
    link = EnrolmentLink.objects.select_related("user").filter(pk=notification.context.get("enrolment_link_id")).first()
    if link is not None:
        context.update(enrolment_url=settings.SITE_URL.rstrip("/") + link_path(link), expires_at=link.expires_at)


def link_still_usable(notification) -> bool:
    """Outbox entitlement: an enrolment link email goes out only while its link can still be
    used (not used, replaced or expired)."""
    return EnrolmentLink.objects.filter(
        pk=notification.context.get("enrolment_link_id"),
        user_id=notification.recipient_id,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=clock.now(),
    ).exists()


def check_link(link_id: int, token: str, *, for_update: bool = False) -> EnrolmentLink:
    """Return the usable link ``link_id`` if ``token`` is its secret.

    Raises :class:`RuleViolation` with a message saying why otherwise: unknown or altered,
    already used, replaced by a newer link, or expired (aware UTC ``expires_at`` passed).
    """
    qs = EnrolmentLink.objects.select_related("user")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    link = qs.filter(pk=link_id).first()
    if link is None or not constant_time_compare(link_token(link), token or ""):
        raise RuleViolation(_("This enrolment link is not valid. Check that you opened the whole link from the email."))
    if link.used_at is not None:
        raise RuleViolation(
            _(
                "This enrolment link has already been used. Log in with the password you chose, "
                "or ask the Secretariat for a new link."
            )
        )
    if link.revoked_at is not None:
        raise RuleViolation(_("This enrolment link was replaced by a newer one: use the link in the latest email."))
    if link.expires_at <= clock.now():
        raise RuleViolation(_("This enrolment link has expired. Ask the Secretariat for a new one."))
    if not link.user.is_active:
        raise RuleViolation(_("This account is inactive."))
    return link


def set_password_with_link(link_id: int, token: str, password: str) -> User:
    """Set the password of the link's user, once: the link is used up in the same transaction
    (row lock, so two submissions never both succeed). ``password`` must already be validated.
    Returns the user. Raises :class:`RuleViolation` as :func:`check_link`."""
    with transaction.atomic():
        link = check_link(link_id, token, for_update=True)
        user = link.user
        user.set_password(password)
        user.save(update_fields=["password"])
        link.used_at = clock.now()
        link.save(update_fields=["used_at"])
    return user


def open_enrolment(request, link: EnrolmentLink) -> None:
    """Let the session that used ``link`` enrol a second factor (and nothing else)."""
    request.session[ENROLMENT_SESSION_KEY] = link.pk


def link_of_session(request) -> EnrolmentLink | None:
    """The link whose password step this session completed, if it may still enrol a second
    factor: same user, not enrolled yet, not expired."""
    link_id = request.session.get(ENROLMENT_SESSION_KEY)
    if not link_id or not request.user.is_authenticated:
        return None
    return EnrolmentLink.objects.filter(
        pk=link_id,
        user=request.user,
        used_at__isnull=False,
        enrolled_at__isnull=True,
        expires_at__gt=clock.now(),
    ).first()


def finish_enrolment(request) -> None:
    """Mark the session's link as having enrolled its second factor; the session may enrol no more."""
    link_id = request.session.pop(ENROLMENT_SESSION_KEY, None)
    if link_id:
        EnrolmentLink.objects.filter(pk=link_id, enrolled_at__isnull=True).update(enrolled_at=clock.now())
