"""Scripts of a form's Media, each carrying the request's Content Security Policy nonce."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag(takes_context=True)
def nonced_scripts(context, media):
    """``<script>`` tags for ``media``'s JavaScript (a ``forms.Media``), with the nonce that
    the policy of this response allows (dief.security); Django's ``{{ form.media }}`` has none."""
    request = context.get("request")
    nonce = str(request.csp_nonce) if request is not None and hasattr(request, "csp_nonce") else ""
    return format_html_join(
        "\n",
        '<script src="{}" nonce="{}"></script>',
        ((media.absolute_path(str(path)), nonce) for path in media._js),
    ) or format_html("")
