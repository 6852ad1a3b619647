"""``{% load document_rows %}``: the supporting documents of an item's page, each with its
language versions, its marking and (for its provider and the Secretariat) its download log.

Written here rather than in the template: each document included the log's template and
reversed three paths, and the template language spent more on a few documents than the query
that read them. The markup is what ``documents/_download_log.html`` and
``documents/_download_rows.html`` write (their fixed texts, translated, are not escaped there
either: a template's string literal is safe).
"""

import uuid
from functools import lru_cache

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import get_script_prefix, reverse
from django.utils.encoding import force_str
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext

register = template.Library()

#: A stand-in token: never the token of a document.
_STAND_IN = uuid.UUID("98765432-1000-4000-8000-000000000000")


@lru_cache(maxsize=32)
def _token_pattern(name: str, script_prefix: str) -> tuple[str, str]:
    """The path of ``name`` (one ``<uuid:token>`` argument) before and after the token."""
    before, _, after = reverse(name, args=[_STAND_IN]).partition(str(_STAND_IN))
    return before, after


def _token_path(name: str, token) -> str:
    before, after = _token_pattern(name, get_script_prefix())
    return f"{before}{token}{after}"


@lru_cache(maxsize=8)
def _classification_pattern(script_prefix: str) -> tuple[str, str]:
    """The path of a document's classification page before and after its id."""
    stand_in = 987_654_321_000
    before, _, after = reverse("exchange:classification", args=["document", stand_in]).partition(str(stand_in))
    return before, after


@lru_cache(maxsize=16)
def _labels(field) -> dict:
    """``field``'s choices as a table of value to (lazy) label, made once per process."""
    return dict(field.flatchoices)


def _display(instance, name: str) -> str:
    """What ``instance.get_<name>_display()`` gives, in the active language: Django's builds
    the table of choices and hashes each lazy label (translating it) on every call."""
    field = type(instance)._meta.get_field(name)
    value = getattr(instance, field.attname)
    return force_str(_labels(field).get(value, value), strings_only=True)


def _date_filter(engine):
    """The ``date`` filter the engine's templates use (the last of its built-ins to define it)."""
    found = None
    for library in engine.template_builtins:
        found = library.filters.get("date", found)
    return found


def _log_rows(log, date, tz: str, use_tz: bool) -> str:
    """``documents/_download_rows.html``."""
    rows = []
    for a in log:
        user = a.user
        who = user.get_full_name() or user.username
        where = user.state.local_name if user.state else _display(user, "role")
        when = date(template_localtime(a.accessed_at, use_tz), "DATETIME_FORMAT")
        rows.append(
            f"<tr><td>{escape(who)}</td><td>{escape(where)}</td><td>{escape(when)} <small>({tz})</small></td></tr>"
        )
    return (
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{gettext("Downloads")}"><table>'
        f'<thead><tr><th scope="col">{gettext("Who")}</th><th scope="col">{gettext("State")}</th>'
        f'<th scope="col">{gettext("When")}</th></tr></thead>\n'
        f"<tbody>{''.join(rows)}</tbody></table></div>\n"
    )


def _log(document, log, more, date, tz: str, use_tz: bool) -> str:
    """``documents/_download_log.html``: nothing when ``log`` is None (not for this reader)."""
    if log is None:
        return "\n"
    n = len(log)
    if more:
        count = ngettext("Downloaded more than %(n)s time", "Downloaded more than %(n)s times", n) % {"n": n}
    else:
        count = ngettext("Downloaded %(n)s time", "Downloaded %(n)s times", n) % {"n": n}
    out = (
        f'<details class="download-log"><summary>{count} '
        f"<small>({gettext('seen only by the provider and the Secretariat')})</small></summary>\n"
    )
    if log:
        out += _log_rows(log, date, tz, use_tz)
        if more:
            out += (
                f'<p><a href="{_token_path("documents:download_log", document.token)}">'
                f"{gettext('Every download of this document')}</a></p>"
            )
        out += "\n"
    else:
        out += f"<p>{gettext('Nobody has downloaded it yet.')}</p>"
    return out + "</details>\n"


@register.simple_tag(takes_context=True)
def document_items(context, documents):
    """One ``<li>`` per :class:`documents.services.ReaderDocument` of ``documents`` (each
    document carrying ``download_log`` and ``download_log_more``, see
    :func:`documents.queries.download_log_for_user`)."""
    tz = escape(context.get("TIME_ZONE", ""))
    use_tz = context.use_tz
    date = _date_filter(context.template.engine)
    versions_label = gettext("Versions:")
    out = []
    for d in documents:
        doc = d.document
        size = filesizeformat(doc.size)
        language = f", {escape(_display(doc, 'language'))}" if doc.language else ""
        item = (
            f'<li><a href="{_token_path("documents:download", doc.token)}">{escape(doc.original_name)}</a> '
            f"<small>({size}{language})</small>"
        )
        if d.languages:
            links = ", ".join(
                f'<a href="{_token_path("documents:download", v.token)}" hreflang="{escape(code)}" '
                f'lang="{escape(code)}">{escape(label)}</a>'
                for code, label, v in d.languages
            )
            item += f" · <small>{versions_label} {links}</small>"
        before, after = _classification_pattern(get_script_prefix())
        item += (
            f' · <a href="{before}{doc.pk}{after}">'
            f"{escape(_display(doc, 'classification'))}</a>\n  "
            f"{_log(doc, doc.download_log, doc.download_log_more, date, tz, use_tz)}</li>"
        )
        out.append(item)
    return mark_safe("".join(out))  # noqa: S308 - escaped text, whole numbers and fixed markup
