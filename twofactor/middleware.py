"""One middleware for every page: a session verified by a second factor, or nothing."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils.cache import patch_cache_control

# URL names reachable without a verified session: logging in, the second factor itself,
# password reset (which never logs in), the enrolment link, the language switch, the health
# check (no content).
OPEN_URL_NAMES = {
    "login",
    "logout",
    "twofactor:verify",
    "twofactor:enrol",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "enrolment_link",
    "health",
}


class RequireVerifiedSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
            name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        except Resolver404:
            name = None
        if name in OPEN_URL_NAMES:
            # Login, password reset and second-factor pages hold credentials: never cached either.
            response = self.get_response(request)
            patch_cache_control(response, private=True, no_store=True)
            return response
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        if not user.is_verified():
            return redirect(f"{reverse('twofactor:verify')}?{urlencode({'next': request.get_full_path()})}")
        # The user is loaded by now: the view and templates read it directly, not through the
        # lazy wrapper (each attribute read through it costs a failed lookup and two calls).
        request.user = getattr(user, "_wrapped", user)
        response = self.get_response(request)
        # Confidential pages never stay in a shared or browser cache.
        patch_cache_control(response, private=True, no_store=True)
        return response
