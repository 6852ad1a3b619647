"""Typography and wording of the French and Spanish interface: a colon after a label comes from
``{% colon %}`` (a no-break space before it in French), the catalogues name the ToR rules one way
per language, and an English word that is both verb and noun is translated with its context."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "templates"
LOCALE = Path(settings.BASE_DIR) / "locale"

#: A colon written by the template right after a tag or variable: "{{ label }}: {{ value }}".
TEMPLATE_COLON = re.compile(r"(%\}|\}\}):(?=[ <]|$)", re.MULTILINE)
#: A colon with no space before it, not in a URL ("https:") nor a time ("%H:%M", "11:16").
TIGHT_COLON = re.compile(r"[^\s\u00a0\u202f:/%]:(?!//|\d|%)")


def outside_translations(text: str) -> str:
    """``text`` with each ``{% blocktranslate %}`` block blanked (its colons are the
    translators'), lines kept."""
    return re.sub(
        r"{% blocktranslate.*?{% endblocktranslate %}", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S
    )


def catalogue(language: str):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as handle:
        return [m for m in read_po(handle) if m.id]


def strings(message) -> list[str]:
    return [s for s in (message.string if isinstance(message.string, tuple) else (message.string,)) if s]


def test_templates_write_colons_after_labels_through_the_colon_tag():
    found = [
        f"{path.relative_to(TEMPLATES)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))
        for text in [outside_translations(path.read_text(encoding="utf-8"))]
        for m in TEMPLATE_COLON.finditer(text)
    ]
    assert not found, found


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "Mexique\u00a0: oui"), ("es", "Mexique: oui"), ("en", "Mexique: oui")]
)
def test_the_colon_tag_puts_a_no_break_space_before_the_colon_in_french(language, expected):
    with translation.override(language):
        assert Template("{{ a }}{% colon %} oui").render(Context({"a": "Mexique"})) == expected


def test_french_entries_put_a_space_before_each_colon():
    tight = [(m.id, s) for m in catalogue("fr") for s in strings(m) if TIGHT_COLON.search(s)]
    assert not tight, tight


@pytest.mark.parametrize("language", ["fr", "es"])
def test_no_entry_is_fuzzy_or_empty(language):
    left = [m.id for m in catalogue(language) if m.fuzzy or not strings(m)]
    assert not left, left


def test_spanish_names_the_tor_rules_normas_throughout():
    rule = re.compile(r"\breglas?\b", re.IGNORECASE)
    assert not [s for m in catalogue("es") for s in strings(m) if rule.search(s)]
    assert any("norma 8" in s for m in catalogue("es") for s in strings(m))


def test_french_names_the_tor_rules_regles_throughout():
    assert not [s for m in catalogue("fr") for s in strings(m) if re.search(r"\b(norme|article)s? \d", s)]


@pytest.mark.parametrize("word", ["Object", "Answer"])
def test_words_that_are_verb_and_noun_carry_a_context(word):
    for language in ("fr", "es"):
        contexts = {m.context for m in catalogue(language) if m.id == word}
        assert contexts and None not in contexts, (language, word, contexts)


@pytest.mark.parametrize(("language", "verb"), [("fr", "Formuler une objection"), ("es", "Presentar una objeción")])
def test_the_object_button_is_a_verb(language, verb):
    with translation.override(language):
        assert translation.pgettext("verb", "Object") == verb
