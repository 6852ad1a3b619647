"""Punctuation that follows the interface language, as a template built-in (no ``{% load %}``).

French puts a no-break space before a colon ("Mexique : ..."); English and Spanish do not. A
colon a template writes next to a variable ("{{ label }}: {{ value }}") therefore comes from
``{% colon %}``, never from the template text (dief/tests/test_typography.py walks them).
"""

from django import template
from django.utils import translation

register = template.Library()

#: What comes before the colon in each language that needs something (a no-break space).
BEFORE_COLON = {"fr": "\u00a0"}


@register.simple_tag
def colon() -> str:
    """``{% colon %}``: ":" in the active language, preceded by a no-break space in French."""
    language = (translation.get_language() or "en").split("-")[0]
    return BEFORE_COLON.get(language, "") + ":"
