"""Django's ``date`` filter, remembered: a template built-in (``settings.TEMPLATES``) that
takes the place of Django's own, with the same output.

A page formats the same few dates many times (a table of deadlines, a timeline), and each
formatting parses the format and looks the language's names up again. The text of a date
depends only on the value, its time zone, the format and the interface language, so it is
kept per process for those (a bounded cache). Values that are not dates go to Django's filter
unchanged.
"""

import datetime
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.template import defaultfilters
from django.utils import translation

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """``{{ value|date:"DATE_FORMAT" }}``: as Django's ``date`` filter."""
    if isinstance(value, datetime.date):
        # an aware datetime equals (and hashes as) any other of the same instant: its zone and
        # fold are part of the key
        return _formatted(
            value, getattr(value, "tzinfo", None), getattr(value, "fold", 0), arg, translation.get_language()
        )
    return defaultfilters.date(value, arg)


@lru_cache(maxsize=4096)
def _formatted(value, tzinfo, fold, arg, language) -> str:
    return defaultfilters.date(value, arg)


def _forget(**kwargs):
    """A changed setting (tests only) may change a format: start again."""
    _formatted.cache_clear()


setting_changed.connect(_forget)
