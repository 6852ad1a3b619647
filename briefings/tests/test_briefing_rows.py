"""The items of the meetings that have ended, written in Python, are the markup the template wrote."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from meetings.models import Meeting

TEMPLATE = """{% load links %}{% for m in ended_meetings %}<li>{{ m.title }} ({{ m.end_date|date:"DATE_FORMAT" }})
  {% if is_chair %}· <a href="{% path_to 'briefings:create' m.pk %}">{{ draft_label }}</a>{% endif %}
  {% if is_delegate %}· <a href="{% path_to 'briefings:arrangement_create' m.pk %}">{{ arrange_label }}</a>{% endif %}
  · <a href="{% path_to 'participation:meeting' m.pk %}">{{ participation_label }}</a></li>{% endfor %}"""


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize(("is_chair", "is_delegate"), [(True, False), (False, True), (False, False)])
def test_the_ended_meeting_items_are_the_templates_markup(language, is_chair, is_delegate):
    meetings = [
        Meeting(pk=7, title="Forum <b> & 'co'", end_date=datetime.date(2025, 8, 26)),
        Meeting(pk=12, title="Second", end_date=datetime.date(2024, 3, 1)),
    ]
    context = {
        "ended_meetings": meetings,
        "is_chair": is_chair,
        "is_delegate": is_delegate,
        "draft_label": "Draft <it>",
        "arrange_label": "Record & co",
        "participation_label": "Participation",
    }
    with translation.override(language):
        expected = Template(TEMPLATE).render(Context(context))
        written = Template(
            "{% load briefing_rows %}{% ended_meeting_items ended_meetings is_chair is_delegate"
            " draft_label arrange_label participation_label %}"
        ).render(Context(context))
    assert written == expected
    assert "Forum &lt;b&gt; &amp; &#x27;co&#x27;" in written
