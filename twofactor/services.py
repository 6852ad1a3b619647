"""Two-factor login with django-otp: TOTP devices and single-use backup codes."""

import secrets

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
TOTP_NAME = "authenticator"
BACKUP_NAME = "backup codes"


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def backup_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user) -> bool:
    """True if ``user`` has finished enrolment (a confirmed TOTP device)."""
    return confirmed_totp(user) is not None


def pending_totp(user) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled, created if needed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def _new_code() -> str:
    return "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))


@transaction.atomic
def replace_backup_codes(user) -> list[str]:
    """Replace ``user``'s backup codes with new single-use ones; returns them (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [_new_code() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def confirm_enrolment(user, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the pending TOTP ``device`` if ``token`` is right; returns new backup codes,
    or None if the token is wrong (throttled by django-otp)."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return replace_backup_codes(user)


@transaction.atomic
def remove_second_factor(user) -> None:
    """Remove every device of ``user``; the next login enrols again."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
