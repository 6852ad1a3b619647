"""The records list's facets and total, written out for a delegate's list without filters,
against the ORM's count of the same records (exchange.queries.list_facets_and_total)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dief.testing import login_verified
from exchange import services
from exchange.enums import Audience
from exchange.queries import facets_and_total, list_facets_and_total, records_for_user, search_records


def _both(user):
    records = records_for_user(user)
    return list_facets_and_total(user, records, filtered=False), facets_and_total(records)


def test_a_delegates_facets_are_the_orms(
    delegate_party, delegate_other_party, delegate_third, authority_other, record_to_france, record_to_all, outsider
):
    services.share_record(
        by=delegate_third,
        title="Own",
        audience=Audience.CHOSEN,
        states=[delegate_party.state],
        information_types=["a", "b"],
    )
    services.share_record(
        by=delegate_third,
        title="Own too",
        audience=Audience.CHOSEN,
        states=[delegate_other_party.state],
        information_types=["b"],
    )
    for user in (delegate_party, delegate_other_party, delegate_third, authority_other, outsider):
        written, orm = _both(user)
        assert written == orm
    assert _both(delegate_other_party)[0][1] == 3  # its two chosen shares and the one to all
    assert _both(delegate_third)[0][1] == 3 and _both(delegate_third)[0][0]["b"] == 2


def test_a_filtered_list_counts_what_the_search_found(delegate_party, record_to_france, record_to_all):
    records = search_records(delegate_party, information_type="c")
    assert list_facets_and_total(delegate_party, records, filtered=True) == facets_and_total(records)
    assert list_facets_and_total(delegate_party, records, filtered=True)[1] == 1


def test_the_records_list_counts_and_reads_nothing_else_when_nothing_is_found(delegate_party, client):
    login_verified(client, delegate_party)
    url = reverse("exchange:list")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    reads = [q["sql"] for q in captured.captured_queries if '"exchange_record"' in q["sql"]]
    assert len(reads) == 1 and not reads[0].startswith('SELECT "exchange_record"')  # the written-out count only
    assert "No record." in page
