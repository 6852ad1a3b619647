"""Every list and search page of the platform issues as many queries for 1,000 rows as for 10
(ToR rules 13, 15, 16, 20: the pages filter in the database, never row by row)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dief.testing import login_verified
from exchange.enums import Audience
from exchange.models import DisclosureConcern, EnforcementContact, Record, Share

WHEN = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def add_rows(n, provider, reader, authority):
    """``n`` more records to all, each shared with ``authority``, and ``n`` concerns and
    contacts seen by ``reader``."""
    records = Record.objects.bulk_create(
        [
            Record(
                provider_state=provider.state,
                created_by=provider,
                created_at=WHEN,
                updated_at=WHEN,
                title=f"Rifles {i}",
                audience=Audience.ALL_ELIGIBLE,
                information_types="ab",
                diversion_details="rifles diverted",
            )
            for i in range(n)
        ]
    )
    Share.objects.bulk_create(
        [Share(record=r, recipient=authority, state=reader.state, shared_by=reader, shared_at=WHEN) for r in records]
    )
    DisclosureConcern.objects.bulk_create(
        [
            DisclosureConcern(
                raised_by=provider,
                raised_as="participant",
                raising_state=provider.state,
                concerned_state=reader.state,
                description="x",
                raised_at=WHEN,
            )
            for _i in range(n)
        ]
    )
    EnforcementContact.objects.bulk_create(
        [
            EnforcementContact(
                state=provider.state,
                authority=f"Customs {i}",
                contact="+41",
                submitted_by=provider,
                submitted_at=WHEN,
                status="verified",
            )
            for i in range(n)
        ]
    )


PAGES = [
    ("delegate", "exchange:list", {}),
    ("delegate", "exchange:list", {"q": "rifles", "type": "a", "status": "", "since": "2025-01-01"}),
    ("delegate", "exchange:shares", {}),
    ("authority", "exchange:shares", {}),
    ("authority", "exchange:list", {"q": "rifles"}),
    ("delegate", "exchange:concerns", {}),
    ("delegate", "exchange:contacts", {}),
]


@pytest.mark.parametrize(("who", "name", "params"), PAGES)
def test_a_list_page_costs_the_same_queries_for_10_and_1000_rows(
    client, delegate_party, delegate_other_party, authority_other, who, name, params
):
    reader = {"delegate": delegate_other_party, "authority": authority_other}[who]
    login_verified(client, reader)
    add_rows(10, delegate_party, delegate_other_party, authority_other)
    assert client.get(reverse(name), params).status_code == 200  # warm the session and caches
    with CaptureQueriesContext(connection) as ten:
        assert client.get(reverse(name), params).status_code == 200
    add_rows(990, delegate_party, delegate_other_party, authority_other)
    with CaptureQueriesContext(connection) as thousand:
        assert client.get(reverse(name), params).status_code == 200
    assert len(thousand.captured_queries) == len(ten.captured_queries), [
        q["sql"][:120] for q in thousand.captured_queries
    ]


def test_the_records_list_and_what_is_shared_with_an_authority_come_a_page_at_a_time(
    client, delegate_party, delegate_other_party, authority_other
):
    from dief.pagination import PAGE_SIZE

    add_rows(PAGE_SIZE + 5, delegate_party, delegate_other_party, authority_other)
    login_verified(client, delegate_other_party)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("exchange:list")).content.decode()
    # one query for the facets and the total together, and no COUNT of the rows to page them
    assert len([q for q in queries.captured_queries if "COUNT(" in q["sql"]]) == 1
    assert first.count("Rifles ") == PAGE_SIZE
    assert f"{PAGE_SIZE + 5} " in first and "?page=2" in first  # the total, in the reader's language
    second = client.get(reverse("exchange:list"), {"page": 2}).content.decode()
    assert second.count("Rifles ") == 5 and 'rel="next"' not in second

    login_verified(client, authority_other)
    shared = client.get(reverse("exchange:shares")).content.decode()
    assert shared.count("Rifles ") == PAGE_SIZE and "?page=2" in shared
    assert client.get(reverse("exchange:shares"), {"page": 2}).content.decode().count("Rifles ") == 5


def test_the_shares_of_a_state_come_a_page_at_a_time(client, delegate_party, delegate_other_party, authority_other):
    from dief.pagination import PAGE_SIZE

    add_rows(PAGE_SIZE + 1, delegate_party, delegate_other_party, authority_other)
    login_verified(client, delegate_other_party)
    first = client.get(reverse("exchange:shares")).content.decode()
    assert first.count("Rifles ") == PAGE_SIZE and "?page=2" in first
    assert client.get(reverse("exchange:shares"), {"page": 2}).content.decode().count("Rifles ") == 1
