"""``{% meeting_timeline meeting %}``: the timeline of a meeting's ToR deadlines, for any page
(the meeting page shows the same picture as What is due)."""

from django import template

from dief import clock
from due.services import timeline

register = template.Library()


@register.inclusion_tag("due/_timeline.html")
def meeting_timeline(meeting, show_title=False):
    return {"tl": timeline(meeting, clock.now()), "show_title": show_title}
