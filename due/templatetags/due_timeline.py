"""``{% meeting_timeline meeting %}``: the timeline of a meeting's ToR deadlines, for any page
(the meeting page shows the same picture as What is due)."""

from babel.dates import format_date
from django import template
from django.utils import translation

from dief import clock
from due.services import timeline

register = template.Library()


@register.inclusion_tag("due/_timeline.html")
def meeting_timeline(meeting, show_title=False):
    return {"tl": timeline(meeting, clock.now()), "show_title": show_title}


@register.filter
def short_date(value, with_year=False):
    """A day and abbreviated month in the active language, from CLDR (Babel): "1 déc.",
    "1 dic", "1 Dec"; with the year when ``with_year``."""
    if not value:
        return ""
    locale = translation.to_locale(translation.get_language() or "en")
    return format_date(value, "d MMM y" if with_year else "d MMM", locale=locale)
