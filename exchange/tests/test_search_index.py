"""The full-text search (ToR rules 18-19) runs on its GIN indexes, one per language
configuration, on PostgreSQL; SQLite keeps its substring search."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from exchange.models import Record
from exchange.queries import SEARCH_CONFIGS, search_records, search_vector


@pytest.fixture
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("full-text indexes are PostgreSQL's; SQLite searches by substring")


def test_there_is_one_gin_index_per_search_configuration(_postgres_only):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'exchange_record'")
        indexes = dict(cursor.fetchall())
    for config in SEARCH_CONFIGS:
        definition = indexes[f"record_fts_{config}"]
        assert "USING gin" in definition and f"to_tsvector('{config}'::regconfig" in definition


@pytest.mark.parametrize("config", SEARCH_CONFIGS)
def test_the_search_expression_is_the_indexed_one(_postgres_only, config):
    """With sequential scans priced out, the planner can only answer from the index if the
    search's expression is exactly the indexed expression."""
    query = (
        Record.objects.alias(v=search_vector(config))
        .filter(v=SearchQuery("fusil", config=config, search_type="websearch"))
        .values("pk")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert f"record_fts_{config}" in query.explain()


def test_the_users_search_uses_the_three_indexes(_postgres_only, delegate_party):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search_records(delegate_party, text="contenedores").explain()
    assert all(f"record_fts_{config}" in plan for config in SEARCH_CONFIGS), plan


def test_sqlite_searches_by_substring(db, delegate_party):
    if connection.vendor != "sqlite":
        pytest.skip("the substring fallback is SQLite's")
    assert "LIKE" in str(search_records(delegate_party, text="rifles").query)
