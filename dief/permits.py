"""The answer of a ``can_...(user, obj, now)`` predicate: allowed, or why not and from when.

Services call :meth:`Verdict.enforce` as their guard and templates read the same verdict, so
a page never offers an action that the service would refuse, and says why instead.
"""

import datetime
from dataclasses import dataclass

from .errors import RuleViolation


@dataclass(frozen=True)
class Verdict:
    """``allowed`` or not; ``reason`` is the translated, user-facing refusal citing ``rule``;
    ``opens_at`` (an aware UTC instant or a date), when known, says from when it will be allowed."""

    allowed: bool
    reason: str = ""
    rule: str = ""
    opens_at: datetime.datetime | datetime.date | None = None

    def __bool__(self) -> bool:
        return self.allowed

    def enforce(self) -> None:
        """Raise :class:`RuleViolation` with the reason and the rule when not allowed."""
        if not self.allowed:
            raise RuleViolation(self.reason, self.rule)


ALLOWED = Verdict(True)


def refuse(reason, rule: str = "", opens_at=None) -> Verdict:
    """A refusal: ``reason`` is translated text citing the ToR rule."""
    return Verdict(False, str(reason), rule, opens_at)
