"""The one domain error of dief: a Terms of Reference rule refused an action."""


class RuleViolation(Exception):
    """A guard refused an action.

    ``rule`` is the ToR rule number as text (e.g. "9") or an empty string for a refusal that
    is not a ToR rule (e.g. a permission); ``message`` is the translated, user-facing text.
    """

    def __init__(self, message, rule: str = ""):
        super().__init__(str(message))
        self.message = message
        self.rule = rule

    def __str__(self):
        return str(self.message)
