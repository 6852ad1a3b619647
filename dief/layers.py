"""The layers of dief: which code may import which (docs/design.md, "Layers").

Imports point one way, from a higher layer to a lower one or within a layer; never upward,
not even inside a function. A lower app that must react to a higher one exposes a hook the
higher one fills in its ``AppConfig.ready`` (``enforcement.registry``, ``states.registry``,
``notifications.services.DEADLINE_LABELS``, ``notifications.registry``) or reads a field
the higher one writes in its own transaction (``Meeting.agenda_adopted_at``, written by ``agendas.services.adopt``).

``dief/tests/test_layers.py`` checks every .py file of every app against this table. A new
app is added by one line: its name in the layer it belongs to. An entry is an app or a dotted
module; the longest matching entry places a module.
"""

#: From the lowest layer to the highest.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # Project core: the clock, errors, the action pattern, safe form fields, the time zones
    # offered, the words of classification and of rules 18-19. No app below.
    (
        "core",
        (
            "dief.clock",
            "dief.errors",
            "dief.actions",
            "dief.forms",
            "dief.formats",
            "dief.crypto",
            "dief.timezones",
            "dief.confidentiality",
        ),
    ),
    # Who: States, users and their second factor, the outbox (it knows recipients, not meetings).
    ("people", ("states", "accounts", "twofactor", "notifications")),
    # Meetings, their ToR deadlines, and the one sweep that enforces those deadlines (the sweep
    # reads meetings' deadlines; a meeting schedules its transitions with it: one layer).
    ("meetings", ("meetings", "enforcement")),
    # What is brought to a meeting. documents serves presentations' files and reads their
    # access; presentations stores its files through documents: one layer.
    ("content", ("presentations", "experts", "documents")),
    # The agenda puts presentations on the meeting's order of business (ToR rules 10, 11, 14).
    ("agenda", ("agendas",)),
    # The information exchange platform: records, shares, classification decisions and the
    # bilateral items of rules 15-16, over presentations and documents (ToR rules 13-20).
    ("platform", ("exchange",)),
    ("briefings", ("briefings",)),
    # Backups read every app's stored documents through the documents storage.
    ("operations", ("backups",)),
    # Each user's open actions across every app (reads the agenda's state too).
    ("overview", ("due",)),
    # Entry points that wire everything: the package (it loads the Celery app), the URL map,
    # settings, the error pages (they read documents' upload limit), the demo data, the test
    # factories.
    (
        "entry points",
        (
            "dief",
            "dief.urls",
            "dief.settings",
            "dief.celery",
            "dief.asgi",
            "dief.wsgi",
            "dief.views",
            "dief.health",
            "dief.testing",
            "demo",
        ),
    ),
]

#: Not checked, and why.
EXEMPT = {
    "tests": "tests build scenarios across apps (a presentation on an agenda, a meeting's sweep)",
    "conftest.py": "test fixtures, same reason",
    "migrations": "generated and frozen history; they name models by string and import only helpers",
}


def layer_index() -> dict[str, int]:
    """Map each table entry (app or dotted module) to its layer's position, 0 the lowest."""
    return {entry: i for i, (_name, entries) in enumerate(LAYERS) for entry in entries}


def layer_of(module: str, index: dict[str, int] | None = None) -> int | None:
    """The layer of a dotted module name by its longest matching entry; None if not in the table."""
    index = layer_index() if index is None else index
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        found = index.get(".".join(parts[:n]))
        if found is not None:
            return found
    return None
