"""``{% meeting_timeline meeting %}``: the timeline of a meeting's ToR deadlines, for any page
(the meeting page shows the same picture as What is due)."""

from dataclasses import dataclass
from functools import lru_cache

from babel.dates import format_date
from django import template
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from dief import clock
from dief.links import path_to
from due.services import silence_deadlines_for_user, timeline
from experts.duties import counts_by_status
from experts.enums import ProposalStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def meeting_timeline(context, meeting, show_title=False):
    """The timeline of ``meeting`` with the ends of the silence procedures the viewer sees
    still running (ToR rule 8), as What is due draws it."""
    user = context.get("user")
    silences = ()
    if user is not None and _has_open_proposals(meeting):
        silences = silence_deadlines_for_user(user, [meeting]).get(meeting.pk, ())
    return timeline_figure(timeline(meeting, clock.now(), extra=silences), show_title)


def _has_open_proposals(meeting) -> bool:
    """True if ``meeting`` has an expert proposal in its silence procedure or in consultation,
    whoever may see it: from the counts the meeting's page has already read (its calendar's
    summaries), so that a meeting without any spares the query of what the viewer sees."""
    counts = counts_by_status(meeting)
    return bool(counts.get(ProposalStatus.IN_SILENCE) or counts.get(ProposalStatus.IN_CONSULTATION))


@register.simple_tag
def timeline_figure(tl, show_title=False):
    """The ``<figure>`` of a :class:`due.services.Timeline`: the picture (SVG, with its title
    and description for assistive technology), its key and its text legend; with
    ``show_title``, the caption links to the meeting.

    The figure is a pure function of what the timeline shows, ``show_title`` and the active
    language, so it is kept per process under all of them (:func:`_figure`): the timelines of
    What is due are the same for many users and change when a deadline passes or the day does."""
    meeting = tl.meeting
    shown = (
        meeting.pk,
        meeting.title,
        meeting.start_date,
        tl.width,
        tl.height,
        tl.axis_y,
        tl.axis_from,
        tl.axis_to,
        tl.today,
        tl.today_x,
        tl.today_before_axis,
        tl.start_x,
        tuple(tl.marks),
        tuple(tl.ticks),
        tuple((shape, str(label)) for shape, label in tl.shapes),
    )
    return _figure(shown, bool(show_title), translation.get_language())


@lru_cache(maxsize=1024)
def _figure(shown: tuple, show_title: bool, language: str):
    """:func:`timeline_figure` of the timeline whose content is ``shown`` (see there), in the
    active ``language`` (passed so that it is in the key)."""
    return _draw(_Shown(*shown), show_title)


@dataclass(frozen=True)
class _Shown:
    """What :func:`_draw` reads of a timeline and its meeting."""

    pk: int
    title: str
    start_date: object
    width: int
    height: int
    axis_y: int
    axis_from: float
    axis_to: float
    today: object
    today_x: float | None
    today_before_axis: bool
    start_x: float
    marks: tuple
    ticks: tuple
    shapes: tuple


def _draw(tl, show_title):
    """The ``<figure>`` of :func:`timeline_figure` from ``tl`` (a :class:`_Shown`).

    Written here rather than in a template: What is due draws three, and the template
    language spent more on them than on computing them. Numbers are written as the template
    wrote them with localisation off (``str``); translations are written as they are, the
    values put in them escaped, as ``{% translate %}`` and ``{% blocktranslate %}`` do."""
    pk, title = tl.pk, escape(tl.title)
    language = translation.get_language()
    # Each text through its own gettext() call (makemessages does not read inside f-strings).
    picture_title = gettext("ToR deadlines of %(title)s") % {"title": title}
    meeting_label = gettext("meeting %(start)s") % {"start": escape(short_date(tl.start_date))}
    key = gettext("Key:")
    today_key = gettext("today: %(today)s") % {"today": _date_text(tl.today, language)}
    if tl.today_x is not None:
        today = gettext("today")
        today_mark = (
            f'<line x1="{tl.today_x}" y1="20" x2="{tl.today_x}" y2="{tl.axis_y + 6}" class="today"/>'
            f'<text x="{tl.today_x}" y="14" class="today-label">{today}</text>\n    '
        )
    elif tl.today_before_axis:
        earlier = gettext("◀ today (%(today)s), earlier than shown") % {"today": escape(short_date(tl.today, True))}
        today_mark = f'<text x="{tl.axis_from}" y="14" class="today-label before">{earlier}</text>'
    else:
        today_mark = ""
    if show_title:
        caption = f'<a href="{path_to("meetings:detail", pk)}">{title}</a>'
    else:
        caption = gettext("Timeline of the ToR deadlines, to scale")
    shapes = " · ".join(f'<span class="key {shape}">{escape(label)}</span>' for shape, label in tl.shapes)
    described = gettext("Today: %(today)s. The meeting starts on %(start)s.") % {
        "today": tl.today.isoformat(),
        "start": tl.start_date.isoformat(),
    }
    return mark_safe(  # noqa: S308 - escaped text, numbers and fixed markup only
        '<figure class="timeline">\n'
        f'  <svg viewBox="0 0 {tl.width} {tl.height}" width="100%" role="img" '
        f'aria-labelledby="tl-title-{pk} tl-desc-{pk}">\n'
        f'    <title id="tl-title-{pk}">{picture_title}</title>\n'
        f'    <desc id="tl-desc-{pk}">{timeline_description(tl)}{described}</desc>\n'
        f'    <line x1="{tl.axis_from}" y1="{tl.axis_y}" x2="{tl.axis_to}" y2="{tl.axis_y}" class="axis"/>\n'
        f"    {timeline_axis(tl)}\n"
        f"    {today_mark}\n"
        f'    <path d="M{tl.start_x} {tl.axis_y}v-70h14l-4 6l4 6h-14" class="meeting"/>\n'
        f'    <text x="{tl.start_x}" y="{tl.height - 4}" class="meeting-label">{meeting_label}</text>\n'
        f"    {timeline_marks(tl)}\n"
        "  </svg>\n"
        f"  <figcaption>{caption}\n"
        f'    <p class="timeline-key">{key} {shapes} · {today_key}</p>\n'
        f'    <ol class="legend">{timeline_legend(tl)}</ol>\n'
        "  </figcaption>\n"
        "</figure>\n"
    )


@register.filter
def short_date(value, with_year=False):
    """A day and abbreviated month in the active language, from CLDR (Babel): "1 déc.",
    "1 dic", "1 Dec"; with the year when ``with_year``."""
    if not value:
        return ""
    return _short_date(value, bool(with_year), translation.to_locale(translation.get_language() or "en"))


@lru_cache(maxsize=4096)
def _short_date(value, with_year: bool, locale: str) -> str:
    """:func:`short_date` in ``locale``: a pure function of its arguments, kept per process (a
    timeline labels a tick a month, the same days on every page)."""
    return format_date(value, "d MMM y" if with_year else "d MMM", locale=locale)


@lru_cache(maxsize=4096)
def _date_text(value, language: str) -> str:
    """``value`` (a date) as the DATE_FORMAT of the active ``language``, escaped; kept per
    process like :func:`_short_date`."""
    return escape(date_format(value, "DATE_FORMAT"))


@register.simple_tag
def timeline_axis(tl):
    """The ticks of a timeline's axis (weeks, and months with their label) as SVG elements.

    Drawn here rather than in the template: a timeline has a tick a week, and the template
    language spent more on them than on the rest of the page. Numbers are written as the
    template writes them with localisation off (``str``)."""
    y, short, month, label_y = tl.axis_y, tl.axis_y + 4, tl.axis_y + 8, tl.axis_y + 24
    parts = []
    for tick in tl.ticks:
        if tick.labelled:
            parts.append(
                f'<line x1="{tick.x}" y1="{y}" x2="{tick.x}" y2="{month}" class="tick month"/>'
                f'<text x="{tick.x}" y="{label_y}" class="tick-label">{escape(short_date(tick.date))}</text>'
            )
        else:
            parts.append(f'<line x1="{tick.x}" y1="{y}" x2="{tick.x}" y2="{short}" class="tick"/>')
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only


@register.simple_tag
def timeline_marks(tl):
    """Each deadline's mark of a timeline as SVG elements: its stem, its shape and its number
    (see :func:`timeline_axis` for why here)."""
    return mark_safe(  # noqa: S308 - numbers and fixed class names only
        "".join(
            f'<line x1="{m.x}" y1="{m.y}" x2="{m.x}" y2="{tl.axis_y}" class="stem"/>'
            f'<path d="{m.path}" class="mark {m.shape}"/>'
            f'<text x="{m.x}" y="{m.y + 4}" class="mark-number {m.shape}">{m.number}</text>'
            for m in tl.marks
        )
    )


@register.simple_tag
def timeline_description(tl):
    """The text of each mark for the picture's ``<desc>``: number, deadline, day, status."""
    return mark_safe(  # noqa: S308 - escaped text only
        "".join(
            f"{m.number}. {escape(m.label)}: {m.deadline.due_date.isoformat()}, {escape(m.status_label)}. "
            for m in tl.marks
        )
    )


@register.simple_tag
def timeline_legend(tl):
    """The text legend of a timeline, one ``<li>`` a mark: deadline, ToR rule, day, status."""
    rule = gettext("ToR rule %(rule)s")
    language = translation.get_language()
    return mark_safe(  # noqa: S308 - escaped text only
        "".join(
            f"<li>{escape(m.label)} — {rule % {'rule': escape(m.deadline.rule)}}, "
            f'<time datetime="{m.deadline.due_date.isoformat()}">'
            f"{_date_text(m.deadline.due_date, language)}</time>"
            f' — <strong class="status-{m.status}">{escape(m.status_label)}</strong></li>'
            for m in tl.marks
        )
    )
