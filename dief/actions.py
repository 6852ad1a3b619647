"""One way for views to run a service call and tell the user how it went."""

from django.contrib import messages
from django.shortcuts import redirect

from .errors import RuleViolation


def perform(request, action, target, redirect_to: str, **redirect_kwargs):
    """Call ``action(target)``; show its returned message, or the refusal it raised (a
    :class:`RuleViolation` citing the ToR rule), then redirect to ``redirect_to``."""
    try:
        message = action(target)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect(redirect_to, **redirect_kwargs)
