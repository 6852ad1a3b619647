"""The layers of dief: which code may import which (docs/design.md, "Layers").

Imports point one way, from a higher layer to a lower one or within a layer; never upward,
not even inside a function. A lower app that must react to a higher one exposes a hook the
higher one fills in its ``AppConfig.ready`` (``enforcement.registry``, ``states.registry``,
``notifications.services.DEADLINE_LABELS``, ``notifications.registry``) or reads a field the
higher one writes in its own transaction (``Meeting.agenda_adopted_at``, written by
``agendas.services.adopt``).

``dief/tests/test_layers.py`` checks every .py file of every app against this table. A new
app is added by one line in :data:`PLACES`: its name and the layer it belongs to.
"""

#: The layers, from the lowest to the highest, and why each is where it is.
LAYERS: list[tuple[str, str]] = [
    ("core", "the clock, errors, the action pattern, safe form fields, time zones: used by all, import no app"),
    ("people", "who: States, users, their second factor, the outbox (it knows recipients, not meetings)"),
    ("meetings", "meetings and their ToR deadlines, and the sweep that enforces them (they call each other)"),
    (
        "content",
        "what is brought to a meeting; documents stores presentations' files and reads their access; "
        "sponsorship (rule 24) needs only meetings and the outbox",
    ),
    ("agenda", "the agenda puts presentations on the meeting's order of business (ToR rules 10, 11, 14)"),
    ("platform", "the information exchange platform over presentations and documents (ToR rules 13, 15-16, 18-20)"),
    (
        "briefings",
        "after a meeting: briefings and follow-up arrangements (rules 21, 22), participation figures (rule 7); "
        "they read delegations and presentations, nothing imports them",
    ),
    ("operations", "backups read every app's stored documents through the documents storage"),
    ("overview", "each user's open actions across every app"),
    ("entry points", "wire everything: URL map, settings, Celery, error pages, demo data, test factories"),
]

#: Where each app or dotted module sits: one line per entry, so a new app is one new line.
#: The longest matching entry places a module.
PLACES: dict[str, str] = {
    "dief.clock": "core",
    "dief.errors": "core",
    "dief.permits": "core",  # the Verdict of can_... predicates
    "dief.actions": "core",
    "dief.forms": "core",
    "dief.formats": "core",
    "dief.crypto": "core",
    "dief.timezones": "core",
    "dief.links": "core",  # {% path_to %}: list rows' links without a reverse() each
    "dief.pagination": "core",  # one page size and one way to read ?page=
    "dief.confidentiality": "core",  # the words of classification and of rules 18-19, no queries
    "dief.typography": "core",  # {% colon %}: punctuation of the interface language
    "dief.sql": "core",  # quoted table and column names for written-out queries
    "dief.prepared": "core",  # prepared statements for a request's reads on PostgreSQL
    "states": "people",
    "accounts": "people",
    "twofactor": "people",
    "notifications": "people",
    "meetings": "meetings",
    "enforcement": "meetings",
    "presentations": "content",
    "experts": "content",
    "documents": "content",
    "sponsorship": "content",
    "agendas": "agenda",
    "exchange": "platform",
    "briefings": "briefings",
    "participation": "briefings",
    "backups": "operations",
    "due": "overview",
    "dief": "entry points",  # the package loads the Celery app
    "dief.urls": "entry points",
    "dief.settings": "entry points",
    "dief.celery": "entry points",
    "dief.asgi": "entry points",
    "dief.wsgi": "entry points",
    "dief.views": "entry points",  # error pages read documents' upload limit
    "dief.health": "entry points",
    "dief.testing": "entry points",
    "demo": "entry points",
}

#: Not checked, and why.
EXEMPT = {
    "tests": "tests build scenarios across apps (a presentation on an agenda, a meeting's sweep)",
    "conftest.py": "test fixtures, same reason",
    "migrations": "generated and frozen history; they name models by string and import only helpers",
}


def layer_index() -> dict[str, int]:
    """Map each table entry (app or dotted module) to its layer's position, 0 the lowest."""
    position = {name: i for i, (name, _why) in enumerate(LAYERS)}
    return {entry: position[layer] for entry, layer in PLACES.items()}


def layer_of(module: str, index: dict[str, int] | None = None) -> int | None:
    """The layer of a dotted module name by its longest matching entry; None if not in the table."""
    index = layer_index() if index is None else index
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        found = index.get(".".join(parts[:n]))
        if found is not None:
            return found
    return None
