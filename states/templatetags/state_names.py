"""Template filters for State and region names in the viewer's language (see states.names)."""

from django import template

from states.names import region_name, sorted_by_name, state_name

register = template.Library()


@register.filter
def region(value: str) -> str:
    """``{{ row.state__region|region }}``: a region of the ATT list named in the active language."""
    return region_name(value or "")


@register.filter
def by_state_name(items, path: str = "state"):
    """``{% for r in registrations|by_state_name %}``: items sorted by their State's name in the
    active language; ``path`` names the attribute holding the State ("" for States themselves)."""

    def name(item):
        state = item
        for part in filter(None, path.split(".")):
            state = getattr(state, part)
        return state_name(state)

    return sorted_by_name(items, name)


@register.filter
def by_region_name(rows, key: str = "state__region"):
    """Rows (dicts) sorted by the active language's name of their region."""
    return sorted_by_name(rows, lambda row: region_name(row[key] or ""))
