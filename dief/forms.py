"""Form fields shared by the apps."""

import html

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1


class ReadAtOnceChoiceIterator(forms.models.ModelChoiceIterator):
    """Django's model choices read with one ordinary query instead of ``iterator()``: on
    PostgreSQL that is a server-side cursor (DECLARE, FETCH, CLOSE), three round trips for a
    list of a few hundred rows at most (States, a State's delegates)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids that are not whole numbers a database can hold, before any query."""

    iterator = ReadAtOnceChoiceIterator

    def _check_values(self, value):
        for v in value:
            text = str(v).strip()
            if not text.isdigit() or int(text) > MAX_ID:
                raise forms.ValidationError(_("Select a valid choice."), code="invalid_choice")
        return super()._check_values(value)


class CheckboxList(forms.CheckboxSelectMultiple):
    """Django's checkboxes with each option's markup written in Python
    (``templates/widgets/checkbox_list.html`` has the rest): the same HTML, for lists of a
    hundred people or more, where one template include per option was most of the page's time."""

    template_name = "widgets/checkbox_list.html"

    def get_context(self, name, value, attrs):
        choices = [choice for choice in self.choices]  # not list(): it would ask len(), a COUNT
        if any(isinstance(label, (list, tuple)) for _value, label in choices):  # grouped: Django's options
            context = super().get_context(name, value, attrs)
            context["widget"]["groups"] = [
                (group, checkbox_options_html(options)) for group, options, _index in context["widget"]["optgroups"]
            ]
            return context
        # Ungrouped (a State's delegates): the same markup from the choices straight away, without
        # Django's dictionary of attributes per option.
        context = forms.Widget.get_context(self, name, value, attrs)
        widget = context["widget"]
        widget["groups"] = [(None, self._flat_options_html(name, set(widget["value"]), widget["attrs"], choices))]
        return context

    def _flat_options_html(self, name, selected, attrs, choices) -> str:
        id_ = attrs.get("id")
        others = {k: v for k, v in attrs.items() if k not in ("id", "checked")}
        head = f'<input type="{escape_text(self.input_type)}" name="{escape_text(name)}" value="'
        rest = flatatt(others)
        id_for_label = self.id_for_label
        parts = []
        for index, (value, label) in enumerate(choices):
            value = "" if value is None else value
            if id_:
                option_id = escape_text(id_for_label(id_, index))
                opening, id_attr = f'<label for="{option_id}">', f' id="{option_id}"'
            else:
                opening, id_attr = "<label>", ""
            parts.append(
                f'<div>\n    {opening}{head}{escape_text(value)}"{id_attr}{rest}'
                f"{' checked' if str(value) in selected else ''}> {escape_text(label)}</label></div>"
            )
        return mark_safe("".join(parts))  # noqa: S308 - escaped values and labels, fixed markup


def checkbox_options_html(options, item: str = "<div>\n    {}</div>") -> str:
    """The markup of Django's checkbox option template for each of ``options`` (the option
    dicts of a choice widget), each wrapped in ``item``."""
    return format_html_join(
        "",
        item.replace("{}", '<label{}><input type="{}" name="{}"{}{}> {}</label>'),
        (
            (
                format_html(' for="{}"', option["attrs"]["id"]) if option["attrs"].get("id") else "",
                option["type"],
                option["name"],
                format_html(' value="{}"', option["value"]) if option["value"] is not None else "",
                flatatt(option["attrs"]),
                option["label"],
            )
            for option in options
        ),
    )


def fast_flatatt(attrs: dict) -> str:
    """:func:`django.forms.utils.flatatt` (the same string: key="value" pairs sorted, then
    the true boolean attributes sorted) without a template-safe wrapper per pair, for widgets
    that write hundreds of options."""
    pairs = sorted((k, v) for k, v in attrs.items() if v is not None and not isinstance(v, bool))
    flags = sorted(k for k, v in attrs.items() if v is True)
    return "".join(f' {k}="{escape_text(v)}"' for k, v in pairs) + "".join(f" {k}" for k in flags)


def escape_text(value) -> str:
    """:func:`django.utils.html.conditional_escape` as plain text (no SafeString per call)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def choice_groups(choices):
    """``(group name or None, [(value, label), ...], index)`` for each entry of ``choices``, as
    Django's ``ChoiceWidget.optgroups`` walks them (a value of None is "")."""
    for index, (option_value, option_label) in enumerate(choices):
        if option_value is None:
            option_value = ""
        if isinstance(option_label, (list, tuple)):
            yield option_value, option_label, index
        else:
            yield None, [(option_value, option_label)], index


class SelectList(forms.Select):
    """Django's select with each option's markup written in Python
    (``templates/widgets/select_list.html`` has the rest): the same HTML, for a list of every
    State, where one template include per option (then one option dict per State) was most of
    the page's time."""

    template_name = "widgets/select_list.html"

    def get_context(self, name, value, attrs):
        # Django's Widget context without ChoiceWidget's option dicts: the options are written
        # straight from the choices, exactly as select_option.html writes them.
        context = forms.Widget.get_context(self, name, value, attrs)
        if self.allow_multiple_selected:
            context["widget"]["attrs"]["multiple"] = True  # as Django's Select writes it
        chosen = set(context["widget"]["value"])
        written = getattr(self.choices, "written_options", None)
        if written is not None:
            context["widget"]["groups"] = [(None, select_written(written(), chosen, self.allow_multiple_selected))]
            return context
        has_selected = False
        groups = []  # (group name or None, [option markup, ...])
        for group, options, _index in choice_groups(self.choices):
            if group is None and groups and groups[-1][0] is None:
                # consecutive options outside any group make one entry: the template loops once
                # for them, not once per option (the same markup)
                html_options = groups[-1][1]
            else:
                html_options = []
                groups.append((group, html_options))
            for v, label in options:
                # as Django's optgroups: one selected option, unless several may be
                selected = (not has_selected or self.allow_multiple_selected) and str(v) in chosen
                has_selected |= selected
                html_options.append(
                    f'\n  <option value="{escape_text(v)}"{" selected" if selected else ""}>'
                    f"{escape_text(label)}</option>"
                )
        groups = [(group, mark_safe("".join(html))) for group, html in groups]  # noqa: S308 - all escaped here
        context["widget"]["groups"] = groups
        return context


def written_options(choices) -> list[tuple[str, str, str]]:
    """Each of the flat ``choices`` (value, label) as :class:`SelectList` writes it, split around
    where ``selected`` goes: ``(value as text, markup before, markup after)``. A list of choices
    that seldom changes (every State) keeps these and gives them to the widget through its own
    ``written_options()``: the escaping done once, not on every page."""
    written = []
    for value, label in choices:
        value = "" if value is None else value
        written.append((str(value), f'\n  <option value="{escape_text(value)}"', f">{escape_text(label)}</option>"))
    return written


def select_written(written, chosen: set, allow_multiple: bool) -> str:
    """The options of :func:`written_options` with ``selected`` on those in ``chosen`` (the
    first only, unless several may be), as :class:`SelectList` marks them."""
    has_selected = False
    parts = []
    for value, head, tail in written:
        selected = (not has_selected or allow_multiple) and value in chosen
        has_selected |= selected
        parts.append(f"{head} selected{tail}" if selected else f"{head}{tail}")
    return mark_safe("".join(parts))  # noqa: S308 - escaped by written_options


class SelectMultipleList(SelectList, forms.SelectMultiple):
    """:class:`SelectList` for a multiple choice (Django's ``SelectMultiple``)."""


# HTML date and time inputs take and give ISO 8601 values whatever the page's language
# (https://html.spec.whatwg.org/#valid-date-string); the browser shows them in the user's
# locale. A localised value ("20/03/2099") would leave the field empty.
ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class IsoDateInput(forms.DateInput):
    """``<input type="date">`` whose value is always ``YYYY-MM-DD``."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class IsoTimeInput(forms.TimeInput):
    """``<input type="time">`` whose value is always ``HH:MM``."""

    input_type = "time"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or ISO_TIME)


class IsoDateTimeInput(forms.DateTimeInput):
    """``<input type="datetime-local">`` whose value is always ``YYYY-MM-DDTHH:MM``."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or ISO_DATETIME)


class IsoDateField(forms.DateField):
    """A date field for an HTML date input: reads ISO first, in every language."""

    widget = IsoDateInput

    def __init__(self, *, input_formats=None, **kwargs):
        super().__init__(input_formats=input_formats or [ISO_DATE], **kwargs)
