"""``{% load briefing_rows %}``: the items of the list of meetings that have ended, written in
Python (the markup the template wrote). A page has 25 of them, each with a date and two or three
links, and the template language spent more on them than on the rest of the page."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from dief.links import path_to
from meetings.templatetags.meeting_rows import day

register = template.Library()


@register.simple_tag
def ended_meeting_items(meetings, is_chair, is_delegate, draft_label, arrange_label, participation_label):
    """One ``<li>`` per meeting of ``meetings``: its title and last day, the link to draft a
    briefing outline (the Chair), to record a follow-up arrangement (a delegate) and to its
    participation figures."""
    draft, arrange = conditional_escape(draft_label), conditional_escape(arrange_label)
    participation = conditional_escape(participation_label)
    items = []
    for m in meetings:
        draft_link = f'· <a href="{path_to("briefings:create", m.pk)}">{draft}</a>' if is_chair else ""
        arrange_link = (
            f'· <a href="{path_to("briefings:arrangement_create", m.pk)}">{arrange}</a>' if is_delegate else ""
        )
        items.append(
            f"<li>{conditional_escape(m.title)} ({conditional_escape(day(m.end_date))})\n"
            f"  {draft_link}\n"
            f"  {arrange_link}\n"
            f'  · <a href="{path_to("participation:meeting", m.pk)}">{participation}</a></li>'
        )
    return mark_safe("".join(items))  # noqa: S308 - escaped text, fixed markup and paths of whole-number ids
