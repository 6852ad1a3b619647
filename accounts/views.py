from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from dief.actions import perform
from dief.errors import RuleViolation

from . import enrolment, services
from .enums import GrantStatus, SecurityEventKind
from .forms import GrantRequestForm, ProfileForm
from .models import RoleGrant, SecurityEvent, User
from .security import record_security_event


class LoginForm(AuthenticationForm):
    """Django's form, with the user name's length checked before anything looks it up."""

    def clean_username(self):
        username = self.cleaned_data.get("username", "")
        if len(username) > User._meta.get_field("username").max_length:
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        return username


#: Session key of a language chosen with the language switch before logging in.
CHOSEN_LANGUAGE = "dief_language_chosen_before_login"


class LoginView(auth_views.LoginView):
    """Password first; every login then goes through the second factor (twofactor.verify).

    A language chosen with the language switch before logging in becomes the user's language
    at the password step, so the second-factor (and first-login enrolment) pages speak it, and
    the profile keeps it. Without such a choice the profile's language stands.
    """

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = False

    def form_valid(self, form):
        user = form.get_user()
        chosen = self.request.session.pop(CHOSEN_LANGUAGE, None)
        if chosen in dict(settings.LANGUAGES) and chosen != user.language:
            user.language = chosen
            user.save(update_fields=["language"])
        return super().form_valid(form)

    def get_success_url(self):
        from urllib.parse import urlencode

        return f"{reverse('twofactor:verify')}?{urlencode({'next': self.get_redirect_url() or reverse('home')})}"


def home(request):
    return redirect("due:list")


def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(form.cleaned_data["language"])
        messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        response.set_cookie("django_language", form.cleaned_data["language"], samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def switch_language(request):
    """Django's set_language, which also keeps the choice in the user's profile."""
    code = request.POST.get("language")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        request.user.language = code
        request.user.save(update_fields=["language"])
    elif code in dict(settings.LANGUAGES):
        request.session[CHOSEN_LANGUAGE] = code
    response = set_language(request)
    if not isinstance(response, HttpResponseRedirect):
        nxt = request.POST.get("next", "/")
        if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
            nxt = "/"
        return redirect(nxt)
    return response


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def enrolment_link(request, link_id: int, token: str):
    """The single-use enrolment link: choose one's own password, then enrol the second factor.

    A used, replaced or expired link is refused with a message saying why (status 410).
    """
    try:
        link = enrolment.check_link(link_id, token)
    except RuleViolation as exc:
        record_security_event(request, SecurityEventKind.ENROLMENT_LINK_REFUSED, enrolment_link=link_id)
        return render(request, "accounts/enrolment_link.html", {"refusal": exc.message}, status=410)
    form = SetPasswordForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = enrolment.set_password_with_link(link_id, token, form.cleaned_data["new_password1"])
        except RuleViolation as exc:
            return render(request, "accounts/enrolment_link.html", {"refusal": exc.message}, status=410)
        if request.user.is_authenticated:
            logout(request)
        login(request, user, backend=settings.DIEF_LOGIN_BACKEND)
        enrolment.open_enrolment(request, link)
        return redirect("twofactor:enrol")
    return render(request, "accounts/enrolment_link.html", {"form": form, "account": link.user})


def _require_secretariat(request):
    if not request.user.is_secretariat:
        raise PermissionDenied


def grants(request):
    """Role grants awaiting a Secretariat officer's confirmation, and a form to ask for one."""
    _require_secretariat(request)
    form = GrantRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = services.request_grant(
                data["user"],
                by=request.user,
                role=data["role"],
                state=data["state"],
                participant_role=data["participant_role"] or "",
            )
        except RuleViolation as exc:
            form.add_error(None, exc.message)
        else:
            if grant.status == GrantStatus.PENDING:
                messages.success(request, _("The request waits for another Secretariat officer's confirmation."))
            else:
                messages.success(request, _("Done: this role opens no confidential content."))
            return redirect("accounts:grants")
    pending = RoleGrant.objects.filter(status=GrantStatus.PENDING).select_related(
        "user", "user__state", "state", "requested_by"
    )
    decided = RoleGrant.objects.exclude(status=GrantStatus.PENDING).select_related(
        "user", "state", "requested_by", "decided_by"
    )[:50]
    return render(request, "accounts/grants.html", {"pending": pending, "decided": decided, "form": form})


@require_POST
def confirm_grant(request, pk):
    _require_secretariat(request)
    grant = get_object_or_404(RoleGrant, pk=pk)
    return perform(request, lambda g: services.confirm_grant(g, by=request.user), grant, "accounts:grants")


@require_POST
def refuse_grant(request, pk):
    _require_secretariat(request)
    grant = get_object_or_404(RoleGrant, pk=pk)
    return perform(request, lambda g: services.refuse_grant(g, by=request.user), grant, "accounts:grants")


AUDITED_MODELS = (
    "meetings.chairappointment",
    "accounts.user",
    "accounts.rolegrant",
    "accounts.enrolmentlink",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
)


def audit_trail(request):
    """The audit trail (django-auditlog): grants, confirmations, account and password changes,
    enrolment links and second-factor devices, newest first; Secretariat only."""
    _require_secretariat(request)
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    types = [ContentType.objects.get_by_natural_key(*label.split(".")) for label in AUDITED_MODELS]
    entries = LogEntry.objects.filter(content_type__in=types).select_related("actor", "content_type")
    page = Paginator(entries.order_by("-timestamp", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_trail.html", {"page": page})


def security_log(request):
    """The security log: second-factor results and denied access, newest first; Secretariat only."""
    _require_secretariat(request)
    events = SecurityEvent.objects.select_related("user")
    kind = request.GET.get("kind")
    if kind in SecurityEventKind.values:
        events = events.filter(kind=kind)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request, "accounts/security_log.html", {"page": page, "kinds": SecurityEventKind.choices, "kind": kind}
    )
