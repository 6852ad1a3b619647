"""Finding every State an outline could identify (ToR rule 22: the outline must not allow
attribution to a State without that State's consent).

What is looked for, in English, French and Spanish alike (an outline may mix them):

- the names of States and territories, from CLDR through Babel, and the names dief records;
- the demonyms and adjectives of every State in every form ("mexicanas", "les autorités
  françaises", "Swiss customs"), their capital cities ("Paris customs") and a few other names
  (Holland, Burma), from ``briefings/data/state_words.csv`` (its header says where the words
  come from and how the other forms are made);
- ISO 3166 alpha-2 and alpha-3 codes, as upper-case words.

Words are matched whole, ignoring case, accents and the punctuation between the words of a
name, the longest first: "Equatorial Guinea" and "Guinea-Bissau" are not Guinea, "franchise"
is not France. A few words match only written with capitals, because written small they are
ordinary words ("La Paz" / "la paz", "Polish" / "polish"). Phrases that contain such a word but
name no State are passed over ("Indian Ocean", "Latin American", "Gulf of Guinea", "Ottawa
Convention").
"""

import csv
import functools
import re
import unicodedata
from pathlib import Path

import babel
from babel.core import get_global

LANGUAGES = ("en", "fr", "es")
#: CLDR territory codes that are not States.
NOT_STATES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "AQ", "BV", "HM", "UM", "CP", "DG", "IC", "EA", "AC", "TA"}
WORDS_FILE = Path(__file__).parent / "data" / "state_words.csv"

#: CLDR names that are ordinary words in one of the three languages, replaced by safer forms:
#: "réunion"/"reunión" is a meeting (the territory is "La Réunion"), a "grenade" a grenade (the
#: State is "la Grenade"), "salvador" a saviour or a first name (the State is "le Salvador").
#: A "^" marks the words that must be written with a capital, as in the data file.
CLDR_REPLACED = {
    "reunion": ("RE", ("^La Réunion", "Reunion Island", "île de la Réunion", "isla de la Reunión")),
    "grenade": ("GD", ("^la Grenade",)),
    "salvador": ("SV", ("^le Salvador", "^du Salvador", "^au Salvador")),
    "principe": ("ST", ()),
}
#: Words that point to a State or territory only when written with a capital, whatever list
#: they come from, because written small they are ordinary words in English, French or Spanish
#: (a chili, suede, malt, a bet, a discount, "qu'il vienne", "quito", "antigua", "barbuda").
ORDINARY_WORDS = frozenset(
    {
        "antigua",
        "anguila",
        "barbuda",
        "berne",
        "chad",
        "chile",
        "chili",
        "cocos",
        "damas",
        "ecuador",
        "equateur",
        "granada",
        "grenadines",
        "guernsey",
        "guinea",
        "japan",
        "jersey",
        "lima",
        "malta",
        "malte",
        "muscat",
        "paris",
        "polish",
        "quito",
        "rabat",
        "roseau",
        "sucre",
        "suede",
        "trinidad",
        "turkey",
        "vienne",
        "wellington",
    }
)

#: Phrases that contain a State's word but point to no State. ``(language, phrase)``: with a
#: language, the phrase's plural and feminine forms are made by that language's rules.
NOT_STATE_PHRASES = (
    ("en", "Indian Ocean"),
    ("fr", "océan Indien"),
    ("en", "West Indian"),
    ("en", "West Indies"),
    ("en", "American Indian"),
    ("en", "Latin American"),
    ("en", "Latin America"),
    ("en", "South American"),
    ("en", "South America"),
    ("en", "North American"),
    ("en", "North America"),
    ("en", "Central American"),
    ("en", "Central America"),
    ("en", "American States"),
    ("fr", "latino-américain"),
    ("fr", "sud-américain"),
    ("fr", "nord-américain"),
    ("fr", "États américains"),
    ("es", "Estados Americanos"),
    ("en", "Central African States"),
    ("en", "Gulf of Guinea"),
    ("fr", "golfe de Guinée"),
    ("es", "golfo de Guinea"),
    ("en", "guinea pig"),
)
#: Instruments named after a capital name no State: "Ottawa Convention", "Protocole de Nairobi".
INSTRUMENTS = {
    "en": ("Convention", "Protocol", "Declaration", "Treaty", "Agreement", "Document", "Process", "Arrangement"),
    "fr": ("Convention", "Protocole", "Déclaration", "Traité", "Accord", "Document", "Processus", "Arrangement"),
    "es": ("Convención", "Protocolo", "Declaración", "Tratado", "Acuerdo", "Documento", "Proceso", "Arreglo"),
}

_WORD = re.compile(r"[^\W_]+")
#: What may stand between the words of one name: spaces, hyphens, apostrophes, "St." and "&".
_JOINER = re.compile(r"^[\s\-\u2010\u2011\u2013'\u2019.&]*$")


def _fold(text: str) -> str:
    """Lower case without accents; every run of non-letters becomes one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " " + re.sub(r"[^\w]+", " ", plain).strip() + " "


def _key(phrase: str) -> tuple[str, ...]:
    """The folded words of ``phrase``: ``"Guinée-Bissau"`` -> ``("guinee", "bissau")``."""
    return tuple(_fold(phrase).split())


# --- forms -----------------------------------------------------------------------------------


def _forms_en(word: str) -> set[str]:
    if word.endswith(("s", "sh", "ch", "x", "z", "ese")):
        return {word}
    return {word, word + "s"}


def _forms_fr(word: str) -> set[str]:
    if word.endswith("e"):
        feminine = word
    elif word.endswith("en"):
        feminine = word + "ne"
    else:
        feminine = word + "e"
    masculine_plural = word if word.endswith(("s", "x")) else word + "s"
    return {word, feminine, masculine_plural, feminine + "s"}


def _forms_es(word: str) -> set[str]:
    if word.endswith("o"):
        return {word, word[:-1] + "a", word + "s", word[:-1] + "as"}
    if word.endswith(("a", "e")):
        return {word, word + "s"}
    if word.endswith(("i", "u")):
        return {word, word + "es", word + "s"}
    return {word, word + "a", word + "es", word + "as"}


_FORMS = {"en": _forms_en, "fr": _forms_fr, "es": _forms_es}


def forms(word: str, language: str) -> set[tuple[str, ...]]:
    """Every form of a demonym as folded word tuples: masculine and feminine, singular and
    plural, made by ``language``'s rules on the last word, or the explicit forms after "="
    (``"grec=grecque/grecs/grecques"``). See the header of ``data/state_words.csv``."""
    word = word.lstrip("^")
    if "=" in word:
        base, _sep, listed = word.partition("=")
        return {_key(base)} | {_key(f) for f in listed.split("/") if f.strip()}
    key = _key(word)
    if not key:
        return set()
    return {key[:-1] + (last,) for last in _FORMS[language](key[-1])}


# --- the table of words ------------------------------------------------------------------------


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


def _variants(name: str, *, split_and: bool = False) -> set[str]:
    # "Congo - Kinshasa", "Myanmar (Burma)", "Hong Kong SAR China": the part before a
    # separator is a name in its own right; so is each part of a State's "Trinidad and Tobago".
    out = {name}
    for sep in (" - ", " (", ","):
        if sep in name:
            out.add(name.split(sep)[0])
    if split_and:
        for part in list(out):
            out.update(re.split(r" (?:&|and|et|y|e) (?:the )?", part))
    return {v.strip() for v in out if len(v.strip()) >= 3}


@functools.cache
def state_words() -> dict[str, dict[str, tuple[str, ...]]]:
    """The data file as ``{alpha-2: {"en": (...), "fr": ..., "es": ..., "capital_en": ...,
    "other_names": ...}}``, each a tuple of words as written there."""
    with WORDS_FILE.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {
            row["code"]: {
                column: tuple(w.strip() for w in (value or "").split(";") if w.strip())
                for column, value in row.items()
                if column != "code"
            }
            for row in rows
        }


@functools.cache
def _table() -> tuple[dict[tuple[str, ...], frozenset[str]], dict[tuple[str, ...], tuple[bool, ...]], int]:
    """(folded word tuple -> alpha-2 codes it points to (empty: a phrase naming no State),
    folded word tuple -> which of its words must be written with a capital (only tuples with
    such a word), the longest tuple's length)."""
    table: dict[tuple[str, ...], set[str]] = {}
    capitalised: dict[tuple[str, ...], tuple[bool, ...]] = {}

    def add(key: tuple[str, ...], code: str | None, *, capitals: tuple[bool, ...] = ()) -> None:
        if not key:
            return
        codes = table.setdefault(key, set())
        if code:
            codes.add(code)
        mask = tuple(
            a or b
            for a, b in zip(capitals or (False,) * len(key), capitalised.get(key, (False,) * len(key)), strict=True)
        )
        mask = tuple(m or word in ORDINARY_WORDS for m, word in zip(mask, key, strict=True))
        if any(mask):
            capitalised[key] = mask

    words = state_words()
    for code, names in territory_names().items():
        for name in names:
            for variant in _variants(name, split_and=code in words):
                key = _key(variant)
                if len(key) == 1 and key[0] in CLDR_REPLACED and code == CLDR_REPLACED[key[0]][0]:
                    continue
                add(key, code)
    for replaced_code, replacements in CLDR_REPLACED.values():
        for phrase in replacements:
            add(_key(phrase), replaced_code, capitals=_mask(phrase))
    capitals_by_language: dict[str, list[str]] = {language: [] for language in LANGUAGES}
    for code, columns in words.items():
        for language in LANGUAGES:
            for word in columns.get(language, ()):
                for key in forms(word, language):
                    add(key, code, capitals=_mask(word, len(key)))
            for capital in columns.get(f"capital_{language}", ()):
                add(_key(capital), code, capitals=_mask(capital))
                capitals_by_language[language].append(capital.lstrip("^"))
        for name in columns.get("other_names", ()):
            add(_key(name), code, capitals=_mask(name))
    for language, phrase in NOT_STATE_PHRASES:
        for key in forms(phrase, language):
            add(key, None)
    for language, capitals in capitals_by_language.items():
        for capital in set(capitals):
            for instrument in INSTRUMENTS[language]:
                if language == "en":
                    add(_key(f"{capital} {instrument}"), None)
                    add(_key(f"{instrument} of {capital}"), None)
                else:
                    add(_key(f"{instrument} de {capital}"), None)
                    add(_key(f"{instrument} d {capital}"), None)
    # A phrase that names no State leaves every State it contains alone.
    longest = max(len(key) for key in table)
    return {k: frozenset(v) for k, v in table.items()}, capitalised, longest


def _mask(phrase: str, length: int | None = None) -> tuple[bool, ...]:
    """Which words of a "^" phrase of the data must be written with a capital: those written
    so there ("^la Grenade" -> (False, True)); none without "^". ``length``: of its forms."""
    words = _WORD.findall(phrase.lstrip("^").partition("=")[0])
    if not phrase.startswith("^"):
        return (False,) * (length or len(words))
    mask = tuple(w[0].isupper() for w in words)
    return mask if length is None or length == len(mask) else (mask + mask[-1:] * length)[:length]


def find_words(text: str, extra: dict[tuple[str, ...], set[str]] | None = None) -> dict[str, list[str]]:
    """Alpha-2 code -> the words of ``text`` that point to it, as written there
    (``{"MX": ["mexicanas"]}``). Names, demonyms, capitals and other names; not ISO codes.
    ``extra`` adds names (folded word tuple -> codes), e.g. the names dief records."""
    table, capitalised, longest = _table()
    if extra:
        table = {**table, **{k: frozenset(v) | table.get(k, frozenset()) for k, v in extra.items()}}
        longest = max(longest, *(len(k) for k in extra))
    tokens = [(m.start(), m.end(), _fold(m.group()).strip()) for m in _WORD.finditer(text)]
    found: dict[str, list[str]] = {}
    i = 0
    while i < len(tokens):
        step = 1
        for n in range(min(longest, len(tokens) - i), 0, -1):
            span = tokens[i : i + n]
            key = tuple(t[2] for t in span)
            if key not in table:
                continue
            if any(not _JOINER.match(text[a[1] : b[0]]) for a, b in zip(span, span[1:], strict=False)):
                continue
            written = text[span[0][0] : span[-1][1]]
            mask = capitalised.get(key) or tuple(word in ORDINARY_WORDS for word in key)
            if mask and any(m and not text[t[0]].isupper() for m, t in zip(mask, span, strict=True)):
                continue
            for code in table[key]:
                if written not in found.setdefault(code, []):
                    found[code].append(written)
            step = n
            break
        i += step
    return found


def scan(text: str, states) -> list[dict]:
    """Every State ``text`` could identify, as ``[{"code", "state_id", "name", "found"}]``
    sorted by name (ToR rule 22).

    ``states`` is an iterable of :class:`states.models.State` (those dief knows); a territory
    that is none of them is listed with ``state_id`` None. ``found`` lists the words of the
    text that pointed to it, as written there ("mexicanas", "Paris", "FRA").
    """
    by_alpha2 = {}
    for state in states:
        alpha2 = alpha2_of_alpha3().get(state.iso3)
        by_alpha2[alpha2 or state.iso3] = state
    alpha3_of = {v: k for k, v in alpha2_of_alpha3().items()}
    # The names dief records (the ATT list's official names), and their parts.
    recorded: dict[tuple[str, ...], set[str]] = {}
    for code, state in by_alpha2.items():
        for variant in _variants(state.name, split_and=True):
            key = _key(variant)
            if not (len(key) == 1 and key[0] in CLDR_REPLACED):
                recorded.setdefault(key, set()).add(code)
    found = find_words(text, recorded)
    codes_written = set(re.findall(r"\b[A-Z]{2,3}\b", text))
    for code in set(territory_names()) | set(by_alpha2):
        iso3 = by_alpha2[code].iso3 if code in by_alpha2 else alpha3_of.get(code, "")
        for token in (code, iso3):
            if token and token in codes_written and token not in found.get(code, []):
                found.setdefault(code, []).append(token)
    results = []
    for code, words in found.items():
        state = by_alpha2.get(code)
        results.append(
            {
                "code": code,
                "state_id": state.pk if state else None,
                "name": state.name if state else babel.Locale("en").territories.get(code, code),
                "found": words,
            }
        )
    return sorted(results, key=lambda r: r["name"])
