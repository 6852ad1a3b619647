"""Second-factor verification, enrolment and device management."""

import base64
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

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
    """Check the second factor against the device the user chose, and only that one."""
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
        device = services.confirmed_totp(request.user) if method == "totp" else services.backup_device(request.user)
        if device is None:
            form.add_error("token", _("You have no backup codes left; use your authenticator app."))
        else:
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                form.add_error("token", _("Too many wrong codes. Wait a little and try again."))
            elif device.verify_token(token):
                otp_login(request, device)
                request.session.cycle_key()
                return redirect(_next_url(request))
            else:
                form.add_error("token", _("That code is not right, or it has been used already."))
    return render(request, "twofactor/verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("token")
def enrol(request):
    """First login: set up an authenticator app; then show the backup codes once."""
    if _needs_password(request):
        return redirect("login")
    if services.has_second_factor(request.user):
        return redirect(f"{reverse('twofactor:verify')}?{urlencode({'next': _next_url(request)})}")
    device = services.pending_totp(request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_enrolment(request.user, device, form.cleaned_data["token"])
        if codes is not None:
            otp_login(request, device)
            request.session.cycle_key()
            return render(request, "twofactor/backup_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("token", _("That code is not right. Check the time on your phone and try again."))
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
    backup = services.backup_device(request.user)
    return render(
        request,
        "twofactor/devices.html",
        {
            "totp": services.confirmed_totp(request.user),
            "backup_left": backup.token_set.count() if backup else 0,
            "form": PasswordConfirmForm(request.user),
        },
    )


RECHECK_FAILURES = "dief_password_recheck_failures"
MAX_RECHECK_FAILURES = 3


def _wrong_password(request):
    """A wrong password at a re-check: after a few, the session ends (no brute force from a
    stolen session)."""
    failures = request.session.get(RECHECK_FAILURES, 0) + 1
    if failures >= MAX_RECHECK_FAILURES:
        logout(request)
        return redirect("login")
    request.session[RECHECK_FAILURES] = failures
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
    """Remove the second factor: needs the verified session (middleware) and the password again."""
    form = PasswordConfirmForm(request.user, request.POST)
    if not form.is_valid():
        return _wrong_password(request)
    services.remove_second_factor(request.user)
    logout(request)
    return redirect("login")
