"""A participation chart drawn by its tag: the numbers, escaped text and cut labels."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils.translation import override

from participation import charts


def test_a_chart_escapes_its_text_and_cuts_long_labels_in_every_language():
    chart = charts.bar_chart([("A <very> long meeting title that goes on and on", 3), ("R&D", None)], hidden="hidden")
    template = Template('{% load participation_charts %}{% bar_chart_figure chart "c-1" title desc %}')
    for language in ("en", "fr", "es"):
        with override(language):
            html = template.render(Context({"chart": chart, "title": "T <1>", "desc": "D & d"}))
            assert '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="c-1-title c-1-desc"' in html
            assert (
                '<title id="c-1-title">T &lt;1&gt;</title>' in html and "<figcaption>T &lt;1&gt;</figcaption>" in html
            )
            assert "D &amp; d A &lt;very&gt; long meeting title that goes on and on: 3. R&amp;D: hidden." in html
            assert "A &lt;very&gt; long meeting title t…</text>" in html and "<very>" not in html
            assert html.count("<rect ") == 2


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_overview_rows_are_the_templates_markup(language):
    template = (
        "{% load links %}{% for f, label, delegations, with_officer, share, presenting in rows %}"
        '<tr><th scope="row"><a href="{% path_to \'participation:meeting\' f.meeting.pk %}">{{ label }}</a></th>'
        "<td>{{ delegations }}</td><td>{{ with_officer }} ({{ share }})</td><td>{{ presenting }}</td></tr>"
        "{% endfor %}"
    )
    rows = [
        (SimpleNamespace(meeting=SimpleNamespace(pk=3)), "Forum <b> & 'co' (2026-03)", 1234, 12, "50 %", 0),
        (SimpleNamespace(meeting=SimpleNamespace(pk=41)), "Second (2026-09)", "hidden", "caché", "caché", 7),
    ]
    with override(language):
        expected = Template(template).render(Context({"rows": rows}))
        written = Template("{% load participation_charts %}{% trend_rows rows %}").render(Context({"rows": rows}))
    assert written == expected
    assert "Forum &lt;b&gt; &amp; &#x27;co&#x27;" in written
