"""``{% two_zones instant zone rule %}``: an instant (a deadline) in the procedural time zone and in
the viewer's own, each labelled with its zone, and the ToR rule that sets it.

Every page that prints a deadline uses it, so no page shows the viewer's time labelled as
procedural time: Django's ``date`` filter converts an aware datetime to the active (viewer's)
time zone, whatever zone the value was built in; here both values are formatted as they are.
"""

import datetime
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


def viewer_zone(context) -> str:
    """The IANA name of the viewer's time zone: the profile's, else the active one (str)."""
    user = context.get("user")
    return getattr(user, "time_zone", "") or timezone.get_current_timezone_name()


@register.simple_tag(takes_context=True)
def two_zones(context, instant: datetime.datetime | None, zone: str = "", rule: str = ""):
    """Markup for ``instant`` (aware datetime; ``None`` gives an empty string) as
    "<when> procedural time (<zone>) · <when> your time (<viewer zone>)", then "(ToR rule <rule>)"
    when ``rule`` is given. ``zone`` is the procedural IANA zone (default: the Secretariat's seat,
    ``DIEF_DEFAULT_PROCEDURAL_TIME_ZONE``). Rules.md "Time": every deadline in both zones."""
    if instant is None:
        return ""
    zone = zone or settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE
    mine = viewer_zone(context)
    procedural = date_format(instant.astimezone(ZoneInfo(zone)), "DATETIME_FORMAT")
    yours = date_format(instant.astimezone(ZoneInfo(mine)), "DATETIME_FORMAT")
    text = gettext("%(when)s procedural time (%(tz)s)") % {"when": procedural, "tz": zone}
    text_yours = gettext("%(when)s your time (%(tz)s)") % {"when": yours, "tz": mine}
    if rule:
        return format_html(
            '<span class="deadline"><time datetime="{}">{}</time> · {} <small>({})</small></span>',
            instant.astimezone(datetime.UTC).isoformat(timespec="seconds"),
            text,
            text_yours,
            gettext("ToR rule %(rule)s") % {"rule": rule},
        )
    return format_html(
        '<span class="deadline"><time datetime="{}">{}</time> · {}</span>',
        instant.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        text,
        text_yours,
    )
