"""Every URL pattern x every persona x both record audiences (ToR rules 6-24; rules.md, "Who
may do what"): only the cells the matrix (``permission_matrix.py``) allows get content, the
rest get 404 (or 403 on staff-only pages, the login or second-factor redirect); a refused POST
changes no table. The matrix is data in one place: a URL without a row fails, and so does a
row whose URL is gone."""

import copy

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dief.testing import login_password_only, login_verified

from .matrix_world import SECRET, build_world
from .permission_matrix import MATRIX, NEVER_READS, PERSONAS, POST_DATA, TEXTS, VERIFIED

#: Tables a request may write whatever it is refused: the session, the security and download
#: logs, login throttling (as in test_get_writes_nothing).
MAY_CHANGE = {
    "sessions.session",
    "accounts.securityevent",
    "documents.documentaccess",
    "auditlog.logentry",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}
#: A refusal that tells its reader why (a page, a redirect with a message, 403, 405).
REFUSALS = (200, 302, 403, 405)


def url_patterns(resolver=None, namespace=""):
    """``(name, URLPattern)`` for every named URL pattern, namespaces (``admin:``) included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def test_every_url_has_a_row_and_every_row_a_url():
    names = {name for name, _ in url_patterns()}
    assert set(POST_DATA) <= names
    assert not names - set(MATRIX), f"URLs without a row in dief/tests/permission_matrix.py: {names - set(MATRIX)}"
    assert not set(MATRIX) - names, f"rows without a URL: {set(MATRIX) - names}"


#: The object a URL's ``pk`` is, when it is not the meeting, by URL name or name prefix.
PK_BY_NAME = {
    "experts:withdraw": "objection",
    "experts:consultation": "objection",
    "accounts:confirm_grant": "grant",
    "accounts:refuse_grant": "grant",
    "meetings:chair_confirm": "pending_chair",
    "meetings:chair_withdraw": "pending_chair",
    "exchange:withhold": "presentation",
}
PK_BY_PREFIX = (
    ("experts:", "proposal"),
    ("briefings:arrangement", "arrangement"),
    ("briefings:", "briefing"),
    ("sponsorship:", "sponsorship"),
    ("presentations:", "presentation"),
)
RECORD_PK = {
    "exchange:answer_use": "use",
    "exchange:share_document": "document",
    "exchange:object_to_lift": "lift",
    "exchange:decide_lift": "lift",
    "exchange:revoke_share": "share",
}


def url_for(name, pattern, ids, variant):
    keys = list(pattern.pattern.regex.groupindex)
    if name == "enrolment_link":
        return ids["enrolment"]
    if name.startswith("admin:"):
        kwargs = {"app_label": "accounts", "content_type_id": ids["meeting_content_type"]}
        if name == "admin:view_on_site":
            kwargs["object_id"] = ids["meeting"]  # a meeting's existence shows through no admin URL
        elif "object_id" in keys:
            kwargs["object_id"] = ids["admin"][name.removeprefix("admin:").rsplit("_", 1)[0]]
        return reverse(name, kwargs={k: kwargs[k] for k in keys})
    records = ids["records"]
    record = records.get(variant, records["all"])
    pk = ids.get(PK_BY_NAME.get(name, ""))
    if pk is None and name in RECORD_PK:
        pk = record[RECORD_PK[name]]
    elif pk is None and name in ("exchange:concern", "exchange:concern_answer"):
        pk = records["concern"]
    elif pk is None and name in ("exchange:verify_contact", "exchange:return_contact", "exchange:correct_contact"):
        pk = records["contact"]
    elif pk is None and variant in ("presentation", "document"):
        pk = ids[variant]
    elif pk is None and name.startswith("exchange:"):
        pk = record["record"]
    if pk is None:  # by prefix, else the meeting
        pk = next((ids[key] for prefix, key in PK_BY_PREFIX if name.startswith(prefix)), ids["meeting"])
    values = {
        "pk": pk,
        "meeting_pk": ids["meeting"],
        "presentation_pk": ids["presentation"],
        "item_pk": ids["item"],
        "involved_pk": ids["involved"],
        "state_pk": ids["state"],
        "token": ids["token"] if variant == "meeting" else record["token"],
        "kind": variant if variant in ("presentation", "document") else "record",
        "direction": "down",
        "uidb64": ids["uidb64"],
    }
    if name == "password_reset_confirm":
        values["token"] = "set-password"
    return reverse(name, kwargs={k: values[k] for k in keys})


CLASSIFIED = ("all", "chosen", "presentation", "document")


def variants(name, row):
    if name in ("documents:download", "documents:download_log"):
        return ("meeting", "all", "chosen")
    if name in ("exchange:classification", "exchange:tighten", "exchange:propose_lift"):
        return CLASSIFIED
    return ("all", "chosen") if row.record else (None,)


def of(value, variant):
    return frozenset(value(variant) if callable(value) else value or ())


def expected_get(row, persona, variant):
    if not row.open and persona in ("anonymous", "password_only"):
        return getattr(row, persona)
    if row.get is None:
        return 405
    if persona in of(row.get, variant):
        return row.ok
    # Where GET asks for a confirmation, those who see the object but may not act are told why.
    return REFUSALS if row.sees is not None and persona in of(row.sees, variant) else row.deny


def expected_post(row, persona, variant):
    """ "allowed", or what the refused POST gets."""
    if not row.open and persona in ("anonymous", "password_only"):
        return getattr(row, persona)
    if persona in of(row.post, variant):
        return row.done or "allowed"
    sees = of(row.get, variant) if row.sees is None else of(row.sees, variant)
    return REFUSALS if persona in sees else row.deny


def outcome(response):
    """The response as the matrix words it: a status code, or where a redirect goes."""
    if response.status_code == 302:
        location = response["Location"]
        for word, path in (
            ("login", reverse("login")),
            ("verify", reverse("twofactor:verify")),
            ("admin_login", reverse("admin:login")),
        ):
            if location.startswith(path):
                return word
    return response.status_code


def matches(got, expected):
    if expected == "allowed":
        return got not in (403, 404, 405, "login", "verify", "admin_login")
    if isinstance(expected, tuple):
        return got in expected
    return got == expected


def fingerprint():
    """Every managed table but ``MAY_CHANGE``: its rows, one hash each (one query per table)."""
    tables = [
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and model._meta.label_lower not in MAY_CHANGE
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT '{t}', count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) "
                    f'FROM "{t}" r'
                    for t in tables
                )
            )
            return {table: (count, digest) for table, count, digest in cursor.fetchall()}
        result = {}
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            result[table] = hash(tuple(sorted(map(repr, cursor.fetchall()))))
        return result


def leaks(cell, response, persona, read):
    """What ``persona`` may not read (``NEVER_READS``) and ``response`` shows; streamed files
    (downloads) are read too. ``read`` collects every text shown, to anybody."""
    if getattr(response, "streaming", False):
        response.content = b"".join(response.streaming_content)
    content = response.content.decode(errors="replace")
    read.update(text for text in TEXTS if f"{SECRET} {text}" in content)
    return [f"{cell}: shows '{SECRET} {text}'" for text in NEVER_READS[persona] if f"{SECRET} {text}" in content]


class Rollback(Exception):
    pass


def log_in(client, world, persona):
    client.logout()
    if persona == "password_only":
        login_password_only(client, world["users"][persona])
    elif persona != "anonymous":
        login_verified(client, world["users"][persona])


@pytest.fixture
def world(db, monkeypatch):
    """The world, built by services acting for verified sessions."""
    from accounts.models import User

    with monkeypatch.context() as patch:
        patch.setattr(User, "is_verified", lambda self: True, raising=False)
        return build_world()


def test_every_persona_gets_from_every_url_what_the_matrix_says(client, world):
    patterns = dict(url_patterns())
    for persona in PERSONAS:  # every persona's device exists before the first fingerprint
        log_in(client, world, persona)
    baseline = fingerprint()
    failures = []
    data = {name: make(world) for name, make in POST_DATA.items()}
    read = set()

    def changed():
        nonlocal baseline
        now = fingerprint()
        tables = sorted(t for t in now if now[t] != baseline.get(t))
        baseline = now
        return tables

    for persona in PERSONAS:
        log_in(client, world, persona)
        baseline = fingerprint()  # logging in wrote the user's last login
        for name, row in MATRIX.items():
            for variant in variants(name, row):
                url = url_for(name, patterns[name], world["ids"], variant)
                cell = f"{name}{f' [{variant}]' if variant else ''} as {persona}"
                response = client.get(url)
                got, expected = outcome(response), expected_get(row, persona, variant)
                if not matches(got, expected):
                    failures.append(f"GET {cell}: expected {expected}, got {got}")
                if got != 200 and SECRET in response.content.decode(errors="replace"):
                    failures.append(f"GET {cell}: {got} shows confidential content")
                failures += leaks(f"GET {cell}", response, persona, read)
                expected = expected_post(row, persona, variant)
                allowed = persona in of(row.post, variant) and (row.open or persona in VERIFIED)
                cookies = copy.deepcopy(client.cookies)
                try:
                    with transaction.atomic():
                        response = client.post(url, data.get(name, {}))
                        if allowed:
                            raise Rollback  # an allowed action is undone: the next cells see the same world
                except Rollback:
                    client.cookies = cookies  # a logout or language change is undone too
                got = outcome(response)
                if not matches(got, expected):
                    failures.append(f"POST {cell}: expected {expected}, got {got}")
                failures += leaks(f"POST {cell}", response, persona, read)
                if not allowed and persona in VERIFIED and (tables := changed()):
                    failures.append(f"POST {cell}: refused ({got}) but changed {tables}")
        if tables := changed():  # the GETs, and the refused POSTs of sessions without a second factor
            failures.append(f"requests as {persona} changed {tables}")
    # Each text reaches somebody: the leak checks look for texts the pages do show.
    assert read == TEXTS, TEXTS - read
    assert not failures, f"{len(failures)} cells differ from the matrix:\n" + "\n".join(failures)
