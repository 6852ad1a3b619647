"""State and region names in the viewer's language, and lists sorted the way the viewer reads.

English shows the official names of the ATT list (``State.name``); French and Spanish show the
Unicode CLDR territory names (through Babel), found by the State's ISO 3166 code. Regions are
the UN M49 regions, also named by CLDR. Sorting follows the Unicode Collation Algorithm (pyuca),
so "Côte d'Ivoire" sorts with "Costa Rica" and "Égypte" with "Équateur".
"""

from collections.abc import Callable, Iterable
from functools import cache, lru_cache

from babel import Locale
from babel.core import get_global
from django.conf import settings
from django.utils import translation

#: The regions of the ATT list (``State.region``) and their UN M49 codes, which CLDR names.
REGION_M49 = {"Africa": "002", "Americas": "019", "Asia": "142", "Europe": "150", "Oceania": "009"}


def current_language() -> str:
    """The active interface language code ("en", "fr", "es")."""
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


@cache
def iso2_for(iso3: str) -> str | None:
    """The ISO 3166 alpha-2 code of an alpha-3 code, from CLDR's territory aliases; None if unknown."""
    replacement = get_global("territory_aliases").get(iso3.upper())
    if replacement and len(replacement) == 1 and len(replacement[0]) == 2:
        return replacement[0]
    return None


@cache
def _territories(language: str) -> dict:
    return Locale.parse(language).territories


def state_name(state, language: str | None = None) -> str:
    """The name of ``state`` (a :class:`states.models.State`) in ``language`` (default: the active one).

    English keeps the official name of the ATT list; other languages take the CLDR territory
    name of the State's ISO code, and fall back to the official name when CLDR has none.
    """
    language = language or current_language()
    if language == "en":
        return state.name
    code = iso2_for(state.iso3)
    return _territories(language).get(code, state.name) if code else state.name


def region_name(region: str, language: str | None = None) -> str:
    """The CLDR name of one of the ATT list's regions (``State.region``) in ``language``.

    A region without a UN M49 code is returned as stored.
    """
    code = REGION_M49.get(region)
    if not code:
        return region
    return _territories(language or current_language()).get(code, region)


@cache
def _collator():
    import pyuca

    return pyuca.Collator()


@lru_cache(maxsize=4096)
def collation_key(text: str) -> tuple:
    """A sort key for ``text`` by the Unicode Collation Algorithm (CLDR root order, which
    English and French use). Kept per text (a pure function: States' and regions' names
    are sorted on many pages)."""
    return _collator().sort_key(text)


def sorted_by_name(items: Iterable, name: Callable[[object], str] = str) -> list:
    """``items`` sorted by ``name(item)`` in collation order (see :func:`collation_key`)."""
    return sorted(items, key=lambda item: collation_key(name(item)))


def sorted_states(states: Iterable, language: str | None = None) -> list:
    """States sorted by their name in ``language`` (default: the active one)."""
    return sorted_by_name(states, lambda s: state_name(s, language))
