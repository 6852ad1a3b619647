"""The project's form renderer: Django's templates (``TemplatesSetting``), with the plainest
of them written in Python.

A form rendered with ``as_div`` goes through one template for the form, then for each field
one for the group, the label, the errors and the widget (and one per option of a select):
about 0.25 ms a field. The templates below are short; each function writes exactly what its
template writes (the same markup, whitespace, escaping and ``strip()``), from the same context,
so every label, help text (``aria-describedby``) and error (``aria-invalid``, ``id=..._error``)
stays. Anything else (a radio list, Django's own checkbox list, a project template) goes to the
templates.
``dief/tests/test_form_renderer.py`` compares both for every widget, in every language.
"""

from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime


def _out(value) -> str:
    """``{{ value }}`` in an autoescaped template."""
    return conditional_escape(localize(template_localtime(value)))


def _stringformat(value) -> str:
    """``{{ value|stringformat:'s' }}``: escaped unless the value was safe."""
    try:
        text = "%s" % value  # noqa: UP031 - the filter's own formatting
    except (ValueError, TypeError):
        return ""
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs) -> str:
    """``django/forms/attrs.html`` and ``django/forms/widgets/attrs.html``."""
    if not attrs:
        return ""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_out(name)}" if value is True else f' {_out(name)}="{_stringformat(value)}"')
    return "".join(parts)


def _input(context):
    """``django/forms/widgets/input.html`` (and the templates that only include it)."""
    widget = context["widget"]
    value = widget["value"]
    return (
        f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"'
        + (f' value="{_stringformat(value)}"' if value is not None else "")
        + f"{_attrs(widget['attrs'])}>"
    )


def _clearable_file_input(context):
    """``django/forms/widgets/clearable_file_input.html`` without an initial file."""
    widget = context["widget"]
    if widget.get("is_initial"):
        return None
    return f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>'


def _textarea(context):
    widget = context["widget"]
    value = widget["value"]
    return (
        f'<textarea name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>\n{_out(value) if value else ""}</textarea>'
    )


SELECT_OPTION = "django/forms/widgets/select_option.html"


def _select(context):
    widget = context["widget"]
    parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in options:
            if option["template_name"] != SELECT_OPTION:
                return None
            parts.append(
                f'\n  <option value="{_stringformat(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_out(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _label(context):
    """``django/forms/label.html``."""
    label = _out(context["label"])
    if not context["use_tag"]:
        return label.strip()
    tag = _out(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


def _error_list(context):
    """``django/forms/errors/list/default.html`` and ``ul.html``."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    return (
        f'<ul class="{_out(context["error_class"])}"'
        + (f' id="{_out(field_id)}_error"' if field_id else "")
        + ">"
        + "".join(f"<li>{_out(error)}</li>" for error in errors)
        + "</ul>"
    )


def _field(context):
    """``django/forms/field.html``, with or without a fieldset (a list of checkboxes or radios)."""
    field = context["field"]
    help_text = field.help_text
    help_html = (
        '<div class="helptext"'
        + (f' id="{_out(field.auto_id)}_helptext"' if field.auto_id else "")
        + f">{help_text}</div>"
        if help_text
        else ""
    )
    if field.use_fieldset:
        described = field.aria_describedby
        return (
            "\n  <fieldset"
            + (f' aria-describedby="{_out(described)}"' if described else "")
            + ">\n  "
            + (_out(field.legend_tag()) if field.label else "")
            + f"\n\n{help_html}\n{_out(field.errors)}\n{_out(field)}</fieldset>\n"
        ).strip()
    label = _out(field.label_tag()) if field.label else ""
    return f"\n  {label}\n\n{help_html}\n{_out(field.errors)}\n{_out(field)}\n".strip()


def _div(context):
    """``django/forms/div.html``."""
    errors, fields, hidden_fields = context["errors"], context["fields"], context["hidden_fields"]
    hidden = "".join(_out(field) for field in hidden_fields)
    parts = [_out(errors), "\n"]
    if errors and not fields:
        parts.append(f"\n  <div>{hidden}</div>\n")
    parts.append("\n")
    last = len(fields) - 1
    for index, (field, _errors) in enumerate(fields):
        classes = field.css_classes()
        parts.append(
            "\n  <div"
            + (f' class="{_out(classes)}"' if classes else "")
            + f">\n    {_out(field.as_field_group())}\n    "
            + (f"\n      {hidden}\n    " if index == last else "")
            + "\n</div>\n"
        )
    parts.append("\n")
    if not fields and not errors:
        parts.append(f"\n  {hidden}\n")
    parts.append("\n")
    return "".join(parts).strip()


def _p(context):
    """``django/forms/p.html``."""
    errors, fields, hidden_fields = context["errors"], context["fields"], context["hidden_fields"]
    hidden = "".join(_out(field) for field in hidden_fields)
    parts = [_out(errors), "\n"]
    if errors and not fields:
        parts.append(f"\n  <p>{hidden}</p>\n")
    parts.append("\n")
    last = len(fields) - 1
    for index, (field, field_errors) in enumerate(fields):
        classes = field.css_classes()
        help_text = field.help_text
        parts.append(
            f"\n  {_out(field_errors)}\n  <p"
            + (f' class="{_out(classes)}"' if classes else "")
            + ">\n    "
            + (_out(field.label_tag()) if field.label else "")
            + f"\n    {_out(field)}\n    "
            + (
                '\n      <span class="helptext"'
                + (f' id="{_out(field.auto_id)}_helptext"' if field.auto_id else "")
                + f">{help_text}</span>\n    "
                if help_text
                else ""
            )
            + "\n    "
            + (f"\n      {hidden}\n    " if index == last else "")
            + "\n  </p>\n"
        )
    parts.append("\n")
    if not fields and not errors:
        parts.append(f"\n  {hidden}\n")
    parts.append("\n")
    return "".join(parts).strip()


def _select_list(context):
    """``templates/widgets/select_list.html`` (:class:`dief.forms.SelectList`: its options
    come already written)."""
    widget = context["widget"]
    parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options_html in widget["groups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        parts.append(_out(options_html))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _checkbox_list(context):
    """``templates/widgets/checkbox_list.html`` (:class:`dief.forms.CheckboxList`: its options
    come already written)."""
    widget = context["widget"]
    attrs = widget["attrs"]
    id_, classes = attrs.get("id"), attrs.get("class")
    parts = ["<div" + (f' id="{_out(id_)}"' if id_ else "") + (f' class="{_out(classes)}"' if classes else "") + ">"]
    for group, options_html in widget["groups"]:
        if group:
            parts.append(f"\n  <div><label>{_out(group)}</label>")
        parts.append(_out(options_html))
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


INPUT_TEMPLATES = [
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
]

WRITTEN = {
    **dict.fromkeys(INPUT_TEMPLATES, _input),
    "django/forms/widgets/clearable_file_input.html": _clearable_file_input,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _error_list,
    "django/forms/errors/list/ul.html": _error_list,
    "django/forms/field.html": _field,
    "django/forms/div.html": _div,
    "django/forms/p.html": _p,
    "widgets/select_list.html": _select_list,
    "widgets/checkbox_list.html": _checkbox_list,
}


class FormRenderer(TemplatesSetting):
    """Django's ``TemplatesSetting`` with the templates of :data:`WRITTEN` written in Python."""

    def render(self, template_name, context, request=None):
        write = WRITTEN.get(template_name)
        if write is not None:
            html = write(context)
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
