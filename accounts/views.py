from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .forms import ProfileForm
from .models import User


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
