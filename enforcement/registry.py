"""Where apps plug their deadline logic into the one sweep.

- :func:`transition` registers a handler for an ``action`` name; the sweep calls it with the
  claimed :class:`~enforcement.models.ScheduledTransition` and the current instant, inside
  the transaction that marks the row applied.
- :func:`deadline_duty` tells, for one ToR deadline key, who must act before it and when
  (if ever) it was done; reminders and escalations use it. Keys with no duty registered send
  no reminder (nobody is obliged to act by a cut-off).
- :func:`schedule_provider` adds transitions computed from a meeting's dates (for example the
  T-20 referral of unresolved expert proposals); they move when the meeting's dates move.
"""

import contextlib
import contextvars
from collections.abc import Callable, Iterable
from dataclasses import dataclass

TRANSITIONS: dict[str, Callable] = {}
#: ``select_related`` paths from a transition row that handlers read (e.g. "meeting__invitation"),
#: added by the apps that own them, so a batch of transitions loads them in its one query.
SWEEP_RELATED: set[str] = set()
_batch_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("sweep_batch_memo", default=None)
DUTIES: dict[str, "Duty"] = {}
SCHEDULE_PROVIDERS: list[Callable] = []
ON_DEADLINE_PASSED: dict[str, list[Callable]] = {}


@dataclass(frozen=True)
class Duty:
    """``who(meeting) -> iterable of users`` who must act; ``done_at(meeting) -> aware datetime or None``."""

    who: Callable[..., Iterable]
    done_at: Callable[..., object]
    escalate: bool = True
    summary: Callable[..., str] | None = None


def transition(action: str):
    def register(func):
        TRANSITIONS[action] = func
        return func

    return register


def deadline_duty(key: str, *, who, done_at, escalate: bool = True, summary=None) -> None:
    """Register the duty of deadline ``key``; ``summary(meeting) -> str`` (optional) says in a
    few words what is still open (e.g. "2 proposals still objected to"), for the calendar."""
    DUTIES[str(key)] = Duty(who=who, done_at=done_at, escalate=escalate, summary=summary)


def schedule_provider(func):
    SCHEDULE_PROVIDERS.append(func)
    return func


def on_deadline_passed(key: str):
    """Register ``func(meeting, deadline, now)`` to run once when deadline ``key`` passes
    (e.g. ToR rule 8: refer unresolved expert objections at T-20)."""

    def register(func):
        ON_DEADLINE_PASSED.setdefault(str(key), []).append(func)
        return func

    return register


def sweep_related(*paths: str) -> None:
    """Ask the sweep to load ``paths`` (``select_related`` from a transition) with its rows."""
    SWEEP_RELATED.update(paths)


@contextlib.contextmanager
def batch():
    """Within a sweep batch, :func:`memo` computes each key once (e.g. the Secretariat list
    that every invitation reminder goes to); outside one, it always computes."""
    token = _batch_memo.set({})
    try:
        yield
    finally:
        _batch_memo.reset(token)


def memo(key, compute: Callable):
    """``compute()``, once per sweep batch for ``key`` (every time outside a batch)."""
    cache = _batch_memo.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


#: Functions ``func(now) -> int`` that apply what has come due in another app's own table (for
#: example a classification lift whose objection period ended, ToR rule 15): the one sweep
#: calls each, so nothing else needs a periodic task.
SWEEP_STEPS: list[Callable] = []


def sweep_step(func):
    """Register ``func(now: aware UTC datetime) -> int`` to run in every sweep (a decorator)."""
    if func not in SWEEP_STEPS:
        SWEEP_STEPS.append(func)
    return func
