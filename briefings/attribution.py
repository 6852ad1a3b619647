"""Finding every State an outline could identify (ToR rule 22).

The names come from CLDR through Babel (English, French and Spanish), and from the States
dief knows (their recorded names); the codes are ISO 3166 alpha-2 and alpha-3, matched as
upper-case words. Names are matched as whole words, ignoring case and accents.
"""

import functools
import re
import unicodedata

import babel
from babel.core import get_global

LANGUAGES = ("en", "fr", "es")
#: CLDR territory codes that are not States.
NOT_STATES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "AQ", "BV", "HM", "UM", "CP", "DG", "IC", "EA", "AC", "TA"}


def _fold(text: str) -> str:
    """Lower case without accents; every run of non-letters becomes one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " " + re.sub(r"[^\w]+", " ", plain).strip() + " "


@functools.cache
def alpha2_of_alpha3() -> dict[str, str]:
    """ISO alpha-3 -> alpha-2, from CLDR's territory aliases."""
    mapping = {}
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and len(targets) == 1 and len(targets[0]) == 2:
            mapping[alias] = targets[0]
    return mapping


@functools.cache
def territory_names() -> dict[str, tuple[str, ...]]:
    """Alpha-2 code -> the territory's CLDR names in English, French and Spanish (short and
    variant forms included)."""
    names: dict[str, set[str]] = {}
    for language in LANGUAGES:
        for code, name in babel.Locale(language).territories.items():
            base = code.split("-")[0]
            if len(base) == 2 and base.isalpha() and base not in NOT_STATES:
                names.setdefault(base, set()).add(name)
    return {code: tuple(sorted(found)) for code, found in names.items()}


def _variants(name: str) -> set[str]:
    # "Congo - Kinshasa", "Myanmar (Burma)", "Hong Kong SAR China": the part before a
    # separator is a name in its own right.
    out = {name}
    for sep in (" - ", " (", ","):
        if sep in name:
            out.add(name.split(sep)[0])
    return {v.strip() for v in out if len(v.strip()) >= 3}


def scan(text: str, states) -> list[dict]:
    """Every State ``text`` names, as ``[{"code", "state_id", "name", "found"}]`` sorted by name.

    ``states`` is an iterable of :class:`states.models.State` (those dief knows); a name of
    a territory that is none of them is listed with ``state_id`` None. ``found`` lists the
    words that matched (a name in some language, or a code).
    """
    folded = _fold(text)
    words = set(re.findall(r"\b[A-Z]{2,3}\b", text))
    by_alpha2 = {}
    for state in states:
        alpha2 = alpha2_of_alpha3().get(state.iso3)
        by_alpha2[alpha2 or state.iso3] = state
    alpha3_of = {v: k for k, v in alpha2_of_alpha3().items()}
    candidates: dict[str, set[str]] = {code: set(names) for code, names in territory_names().items()}
    for code, state in by_alpha2.items():
        candidates.setdefault(code, set()).add(state.name)
    results = []
    for code, names in candidates.items():
        found = set()
        for name in names:
            for variant in _variants(name):
                if _fold(variant) in folded:
                    found.add(variant)
        iso3 = by_alpha2[code].iso3 if code in by_alpha2 else alpha3_of.get(code, "")
        for token in (code, iso3):
            if token and token in words:
                found.add(token)
        if found:
            state = by_alpha2.get(code)
            results.append(
                {
                    "code": code,
                    "state_id": state.pk if state else None,
                    "name": state.name if state else babel.Locale("en").territories.get(code, code),
                    "found": sorted(found),
                }
            )
    return sorted(results, key=lambda r: r["name"])
