"""State and region names in the viewer's language, and lists sorted the way the viewer reads.

English shows the official names of the ATT list (``State.name``); French and Spanish show the
United Nations' official short names (UNTERM), as the UN treaty bodies use them: the Unicode
CLDR territory name (through Babel) found by the State's ISO 3166 code, unless
``data/un_names.csv`` gives the UN name where CLDR's differs ("Corée du Sud" is "République
de Corée" at the UN). Regions are
the UN M49 regions, also named by CLDR. Sorting follows the Unicode Collation Algorithm (pyuca),
so "Côte d'Ivoire" sorts with "Costa Rica" and "Égypte" with "Équateur".
"""

import csv
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

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


#: The UN's official short names where CLDR's differ: ``{iso3: {language: name}}``.
UN_NAMES_FILE = Path(__file__).parent / "data" / "un_names.csv"


@cache
def un_names() -> dict[str, dict[str, str]]:
    """The UN short names (UNTERM) of ``data/un_names.csv`` that replace CLDR's, by ISO alpha-3
    code and language; an empty cell keeps CLDR's name."""
    with UN_NAMES_FILE.open(encoding="utf-8") as f:
        return {
            row["iso3"]: {lang: name.strip() for lang, name in row.items() if lang != "iso3" and (name or "").strip()}
            for row in csv.DictReader(f)
        }


def name_for_code(iso3: str, language: str, default: str) -> str:
    """The name of the territory of ISO alpha-3 code ``iso3`` in ``language`` ("fr", "es"): the
    UN short name if ``data/un_names.csv`` has one, else CLDR's, else ``default``."""
    override = un_names().get(iso3.upper(), {}).get(language)
    if override:
        return override
    code = iso2_for(iso3)
    return _territories(language).get(code, default) if code else default


def state_name(state, language: str | None = None) -> str:
    """The name of ``state`` (a :class:`states.models.State`) in ``language`` (default: the active one).

    English keeps the official name of the ATT list; other languages take the UN short name
    (see :func:`name_for_code`), and fall back to the official name when none is known.
    """
    language = language or current_language()
    if language == "en":
        return state.name
    return name_for_code(state.iso3, language, state.name)


class StateRef(NamedTuple):
    """A State's ISO alpha-3 code and official (English) name, without the model: what a
    figure computed once (and perhaps cached) keeps, to be named in each reader's language
    when shown (``str()`` is :func:`state_name`)."""

    iso3: str
    name: str

    def __str__(self) -> str:
        return state_name(self)


def territory_name(alpha2: str, english: str, language: str | None = None) -> str:
    """The name of the territory of ISO alpha-2 code ``alpha2`` in ``language`` (default: the
    active one); ``english`` is its English name, returned for English or an unknown code."""
    language = language or current_language()
    if language == "en":
        return english
    iso3 = _alpha3_of().get(alpha2.upper())
    if iso3:
        return name_for_code(iso3, language, english)
    return _territories(language).get(alpha2.upper(), english)


@cache
def _alpha3_of() -> dict[str, str]:
    found: dict[str, str] = {}
    for alias in sorted(get_global("territory_aliases")):
        if len(alias) == 3 and alias.isalpha():
            target = iso2_for(alias)
            # Several alpha-3 codes may point at one territory ("FXX", metropolitan France):
            # the data file only needs one that is in it.
            if target and (target not in found or alias in un_names()):
                found[target] = alias
    return found


def state_names(states: Iterable, language: str | None = None) -> str:
    """``states`` named in ``language`` (default: the active one), in its collation order,
    joined by commas: "Mexique, Suisse"."""
    return ", ".join(state_name(s, language) for s in sorted_states(states, language))


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
