"""Second-factor verification, enrolment and device management."""

import base64
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import enrolment

from . import services
from .forms import EnrolForm, PasswordConfirmForm, TokenForm


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _needs_password(request):
    return not request.user.is_authenticated


@never_cache
@sensitive_post_parameters("token")
def verify(request):
    """Check the second factor against the device the user chose, and only that one; a code
    verifies one session only, however many present it at once."""
    if _needs_password(request):
        return redirect("login")
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not services.has_second_factor(request.user):
        return redirect(f"{reverse('twofactor:enrol')}?{urlencode({'next': _next_url(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        method, token = form.cleaned_data["method"], form.cleaned_data["token"]
        if method == "totp" and not (token.isdigit() and len(token) == 6):
            method = "backup"  # a backup code typed without changing the choice
        if method == "totp":
            device = services.verify_totp(request.user, token)
        else:
            device = services.verify_backup_code(request.user, token)
        if device is False:
            form.add_error("token", _("Too many wrong codes. Wait a little and try again."))
        elif device is None and method == "backup" and not services.backup_codes_left(request.user):
            form.add_error("token", _("You have no backup codes left; use your authenticator app."))
        elif device is None:
            form.add_error("token", _("That code is not right, or it has been used already."))
        else:
            otp_login(request, device)
            request.session.cycle_key()
            return redirect(_next_url(request))
    return render(request, "twofactor/verify.html", {"form": form, "next": _next_url(request)})


#: Session key: this session removed its user's second factor (after the password) and may
#: enrol a new one. Holds the user's id.
REENROL_SESSION_KEY = "dief_reenrol"


def _may_enrol(request) -> bool:
    return request.session.get(REENROL_SESSION_KEY) == request.user.pk or enrolment.link_of_session(request) is not None


@never_cache
@sensitive_post_parameters("token", "password")
def enrol(request):
    """Set up an authenticator app, only in a session opened by the enrolment link or one that
    has just removed its second factor, with the password again; then show the backup codes
    once. Opening the page stores nothing."""
    if _needs_password(request):
        return redirect("login")
    if services.has_second_factor(request.user):
        return redirect(f"{reverse('twofactor:verify')}?{urlencode({'next': _next_url(request)})}")
    if not _may_enrol(request):
        return render(request, "twofactor/enrol_closed.html", status=403)
    if request.method == "POST":
        form = EnrolForm(request.user, request.POST)
        key = form.posted_key()
        if not request.user.check_password(request.POST.get("password", "")):
            response = _wrong_password(request, back_to="twofactor:enrol")
            if response is not None:
                return response
        if form.is_valid():
            result = services.confirm_enrolment(request.user, key, form.cleaned_data["token"])
            if result is not None:
                device, codes = result
                request.user.refresh_from_db(fields=["session_epoch", "password"])
                update_session_auth_hash(request, request.user)
                request.session.pop(REENROL_SESSION_KEY, None)
                request.session.pop(RECHECK_FAILURES, None)
                enrolment.finish_enrolment(request)
                otp_login(request, device)
                request.session.cycle_key()
                return render(request, "twofactor/backup_codes.html", {"codes": codes, "next": _next_url(request)})
            form.add_error("token", _("That code is not right. Check the time on your phone and try again."))
        key = key or services.new_totp_key()
        form.data = form.data.copy()
        form.data["secret"] = EnrolForm.sign(request.user, key)
    else:
        key = services.new_totp_key()
        form = EnrolForm(request.user, initial={"secret": EnrolForm.sign(request.user, key)})
    device = TOTPDevice(user=request.user, name=services.TOTP_NAME, key=key)
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "twofactor/enrol.html",
        {"form": form, "qr": qr, "secret": secret_b32, "next": _next_url(request)},
    )


@never_cache
def devices(request):
    """The user's second factors (the session is verified: middleware)."""
    return render(
        request,
        "twofactor/devices.html",
        {
            "totp": services.confirmed_totp(request.user),
            "backup_left": services.backup_codes_left(request.user),
            "form": PasswordConfirmForm(request.user),
        },
    )


RECHECK_FAILURES = "dief_password_recheck_failures"
MAX_RECHECK_FAILURES = 3


def _wrong_password(request, back_to=None):
    """A wrong password at a re-check: after a few, the session ends (no brute force from a
    stolen session). Returns the response, or None to let ``back_to``'s page show the error."""
    failures = request.session.get(RECHECK_FAILURES, 0) + 1
    if failures >= MAX_RECHECK_FAILURES:
        logout(request)
        return redirect("login")
    request.session[RECHECK_FAILURES] = failures
    if back_to:
        return None
    messages.error(request, _("That is not your password; nothing changed."))
    return redirect("twofactor:devices")


@require_POST
@sensitive_post_parameters("password")
def regenerate_backup_codes(request):
    form = PasswordConfirmForm(request.user, request.POST)
    if not form.is_valid():
        return _wrong_password(request)
    request.session.pop(RECHECK_FAILURES, None)
    codes = services.replace_backup_codes(request.user)
    return render(request, "twofactor/backup_codes.html", {"codes": codes, "next": reverse("twofactor:devices")})


@require_POST
@sensitive_post_parameters("password")
def remove_devices(request):
    """Remove the second factor: needs the verified session (middleware) and the password
    again. Every other session of the user ends; this one may enrol a new authenticator now
    (with the password once more), and nothing else."""
    form = PasswordConfirmForm(request.user, request.POST)
    if not form.is_valid():
        return _wrong_password(request)
    request.session.pop(RECHECK_FAILURES, None)
    services.remove_second_factor(request.user)
    request.user.refresh_from_db(fields=["session_epoch", "password"])
    update_session_auth_hash(request, request.user)
    request.session[REENROL_SESSION_KEY] = request.user.pk
    return redirect("twofactor:enrol")
