"""dief.date_filter: the ``date`` filter every template uses gives Django's text, remembered
per value, zone, format and language."""

import datetime
from zoneinfo import ZoneInfo

from django.template import defaultfilters, engines
from django.utils import timezone, translation

INSTANT = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC)


def _render(source, **context):
    return engines["django"].from_string(source).render(context)


def test_the_date_filter_is_the_one_every_template_gets():
    from dief import date_filter

    assert engines["django"].engine.template_builtins[-1].filters["date"] is date_filter.date


def test_it_writes_what_django_writes_in_every_language_and_format():
    values = [datetime.date(2026, 3, 2), INSTANT, INSTANT.astimezone(ZoneInfo("Pacific/Auckland")), "", None, "x"]
    for language in ("en", "fr", "es"):
        with translation.override(language):
            for value in values:
                for fmt in (None, "DATE_FORMAT", "SHORT_DATE_FORMAT", "j F Y H:i T", "l"):
                    if type(value) is datetime.date and fmt == "j F Y H:i T":
                        continue  # Django refuses a time format for a date, and so does this filter
                    expected = defaultfilters.date(timezone.template_localtime(value), fmt)
                    assert _render("{{ v|date:f }}", v=value, f=fmt) == expected, (language, value, fmt)
                    assert _render("{{ v|date:f }}", v=value, f=fmt) == expected  # remembered


def test_the_same_instant_in_another_zone_or_language_is_written_anew():
    with translation.override("en"), timezone.override(ZoneInfo("Europe/Zurich")):
        assert _render('{{ v|date:"j F Y H:i" }}', v=INSTANT) == "3 March 2026 00:30"
    with translation.override("en"), timezone.override(ZoneInfo("America/New_York")):
        assert _render('{{ v|date:"j F Y H:i" }}', v=INSTANT) == "2 March 2026 18:30"
    with translation.override("fr"), timezone.override(ZoneInfo("America/New_York")):
        assert _render('{{ v|date:"j F Y H:i" }}', v=INSTANT) == "2 mars 2026 18:30"
