"""Session lifetime and each user's language and time zone."""

import zoneinfo

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from dief import clock

SESSION_STARTED = "dief_session_started"
SESSION_LAST_SEEN = "dief_session_last_seen"
#: The idle clock is stored again only when it has moved this far: a page costs no session
#: write (BEGIN, UPDATE, COMMIT) on every request, and the idle timeout is still exact to a minute.
LAST_SEEN_RESOLUTION_SECONDS = 60


def mark_session_start(sender, request, user, **kwargs):
    """At login, start the clocks of the absolute and idle timeouts."""
    if request is not None and hasattr(request, "session"):
        now = clock.now().timestamp()
        request.session[SESSION_STARTED] = now
        request.session[SESSION_LAST_SEEN] = now


class SessionLifetimeMiddleware:
    """Ends a session idle for ``SESSION_IDLE_TIMEOUT`` seconds or older than
    ``SESSION_ABSOLUTE_TIMEOUT`` seconds, whatever the user does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = clock.now().timestamp()
            started = request.session.get(SESSION_STARTED)
            last_seen = request.session.get(SESSION_LAST_SEEN, started)
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT or (
                last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT
            ):
                logout(request)
                return redirect(reverse(settings.LOGIN_URL) + "?expired=1")
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Activates the logged-in user's language and time zone for the request, and restores
    the previous ones afterwards (nothing leaks into the next request on the same thread)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        language = translation.get_language()
        zone = None
        if user.is_authenticated:
            if user.language:
                language = user.language
                request.LANGUAGE_CODE = language
            try:
                zone = zoneinfo.ZoneInfo(user.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None
        with translation.override(language), timezone.override(zone):
            return self.get_response(request)
