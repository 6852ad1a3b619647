"""Dates on the timeline are abbreviated the way each language does (CLDR), not in English."""

import datetime

import pytest
from django.utils import translation

from due.templatetags.due_timeline import short_date


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "1 Dec"), ("fr", "1 déc."), ("es", "1 dic")],
)
def test_timeline_dates_use_the_languages_own_month_abbreviation(language, expected):
    with translation.override(language):
        assert short_date(datetime.date(2026, 12, 1)) == expected
        assert short_date(datetime.date(2026, 12, 1), True).endswith("2026")
