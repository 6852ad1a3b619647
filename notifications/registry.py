"""Who may still receive a queued notice, decided again at the moment of sending.

A notice is queued while its recipient is entitled to it; it may leave later (a retry after
the mail server was down, a backlog). By then the recipient may have left their State,
changed role, or their State may no longer be eligible (ToR rule 6). The apps that queue a
kind of notice register here, without this app importing them, a predicate
``func(notification) -> bool`` saying whether its recipient is *still* entitled;
:func:`may_receive` asks every predicate of the notice's kind. A kind nobody registered is
never sent: unknown means no.
"""

from collections.abc import Callable

ENTITLEMENTS: dict[str, list[Callable]] = {}
CONTEXT_PROVIDERS: list[Callable] = []


def context_provider(func):
    """Register ``func(notification, context) -> None`` (a decorator): it adds what a higher
    app knows to an email's template context (deadline labels, the meeting's deadlines),
    called at rendering time in the recipient's language and time zone."""
    if func not in CONTEXT_PROVIDERS:
        CONTEXT_PROVIDERS.append(func)
    return func


def entitlement(*kinds: str):
    """Register ``func(notification) -> bool`` for each of ``kinds`` (a decorator)."""

    def register(func):
        for kind in kinds:
            ENTITLEMENTS.setdefault(str(kind), [])
            if func not in ENTITLEMENTS[str(kind)]:
                ENTITLEMENTS[str(kind)].append(func)
        return func

    return register


def withheld_because(notification) -> str:
    """Why ``notification`` may not go to its recipient now, or "" if it may.

    Takes a :class:`notifications.models.Notification` with its recipient loaded. The
    recipient must be active with an email address, hold the role and the State they held
    when the notice was queued, and pass every predicate registered for the kind.
    """
    user = notification.recipient
    if not (user.is_active and user.email):
        return "recipient inactive or without email"
    if notification.recipient_role and (
        user.role != notification.recipient_role or user.state_id != notification.recipient_state_id
    ):
        return "recipient changed role or State since the notice was queued"
    predicates = ENTITLEMENTS.get(str(notification.kind))
    if not predicates:
        return "no entitlement rule for this kind of notice"
    for predicate in predicates:
        if not predicate(notification):
            return f"recipient no longer entitled ({predicate.__module__}.{predicate.__name__})"
    return ""


def may_receive(notification) -> bool:
    """True if ``notification``'s recipient may receive it now (see :func:`withheld_because`)."""
    return not withheld_because(notification)
