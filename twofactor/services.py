"""Two-factor login with django-otp: TOTP devices and single-use backup codes.

A one-time code verifies exactly one session: the device row is locked while the code is
checked and consumed. Adding or removing a device ends every other session of the user.
"""

import hmac
import secrets

from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.models import User
from dief import clock

from .models import BackupCode

BACKUP_CODE_COUNT = 10
TOTP_NAME = "authenticator"
BACKUP_NAME = "backup codes"
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def backup_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def backup_codes_left(user) -> int:
    return BackupCode.objects.filter(device__user=user, device__confirmed=True).count()


def has_second_factor(user) -> bool:
    """True if ``user`` has finished enrolment (a confirmed TOTP device)."""
    return confirmed_totp(user) is not None


def new_totp_key() -> str:
    """A fresh TOTP secret (40 hex digits); nothing is stored until enrolment is confirmed."""
    return random_hex(20)


def hash_backup_code(code: str, salt: str | None = None) -> str:
    """Return ``salt$digest`` for ``code``: HMAC-SHA256 keyed by ``SECRET_KEY`` and ``salt``."""
    salt = salt or secrets.token_hex(8)
    digest = salted_hmac(f"dief.twofactor.backup-code:{salt}", code, algorithm="sha256").hexdigest()
    return f"{salt}${digest}"


def _matches(code: str, stored: str) -> bool:
    salt, _sep, _digest = stored.partition("$")
    return hmac.compare_digest(hash_backup_code(code, salt), stored)


def _new_code() -> str:
    return "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(10))


def _end_other_sessions(user_pk: int) -> None:
    """Every session of the user stops being valid (Django re-checks the session hash, which
    includes ``session_epoch``); the caller re-stamps the one session that stays."""
    from django.db.models import F

    User.objects.filter(pk=user_pk).update(session_epoch=F("session_epoch") + 1)


def store_backup_codes(user, codes: list[str]) -> StaticDevice:
    """Replace ``user``'s backup codes with ``codes`` (stored hashed); returns the device."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_NAME, defaults={"confirmed": True})
    device.backup_codes.all().delete()
    BackupCode.objects.bulk_create(BackupCode(device=device, digest=hash_backup_code(c)) for c in codes)
    return device


@transaction.atomic
def replace_backup_codes(user) -> list[str]:
    """Replace ``user``'s backup codes with new single-use ones; returns them (shown once,
    never stored in clear)."""
    codes = [_new_code() for _ in range(BACKUP_CODE_COUNT)]
    store_backup_codes(user, codes)
    return codes


def verify_totp(user, token: str) -> TOTPDevice | None | bool:
    """Check ``token`` against ``user``'s confirmed TOTP device, consuming it: the device row
    is locked, so the same code verifies one session only. Returns the device on success,
    False if throttled, None if wrong or there is no device."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return None
        if not device.verify_is_allowed()[0]:
            return False
        return device if device.verify_token(token) else None


def verify_backup_code(user, code: str) -> StaticDevice | None | bool:
    """Check and use up one of ``user``'s backup codes under a row lock on its device (a code
    verifies one session only). Returns the device on success, False if throttled, None if
    wrong or there are no codes left."""
    with transaction.atomic():
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return None
        if not device.verify_is_allowed()[0]:
            return False
        match = next((c for c in device.backup_codes.all() if _matches(code, c.digest)), None)
        if match is None:
            device.throttle_increment(commit=True)
            return None
        match.delete()
        device.throttle_reset(commit=False)
        device.set_last_used_timestamp(commit=False)
        device.save()
        return device


def confirm_enrolment(user, key_hex: str, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Enrol the TOTP secret ``key_hex`` for ``user`` if ``token`` is its current code.

    Returns the new confirmed device and new backup codes (shown once), or None if the code
    is wrong or ``user`` already has a confirmed device. Every other session of the user ends.
    """
    try:
        code = int(token)
        bin_key = bytes.fromhex(key_hex)
    except ValueError:
        return None
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return None
        device = TOTPDevice(user=user, name=TOTP_NAME, key=key_hex, confirmed=True)
        totp = TOTP(bin_key, device.step, device.t0, device.digits, 0)
        totp.time = clock.now().timestamp()
        if not totp.verify(code, device.tolerance):
            return None
        device.last_t = totp.t()
        TOTPDevice.objects.filter(user=user).delete()
        device.save()
        codes = replace_backup_codes(user)
        _end_other_sessions(user.pk)
    return device, codes


@transaction.atomic
def remove_second_factor(user) -> None:
    """Remove every device of ``user`` and end every other session of the user."""
    User.objects.select_for_update().get(pk=user.pk)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _end_other_sessions(user.pk)
