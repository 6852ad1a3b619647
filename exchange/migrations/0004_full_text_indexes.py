"""GIN indexes for the platform's full-text search (ToR rules 18-19), one per text search
configuration, on exactly the expression ``exchange.queries.search_vector`` builds. PostgreSQL
only: SQLite searches by substring and gets no index (and none in Django's model state, so a
table rebuild on SQLite never meets a GIN index)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# Frozen here as the search uses them today; exchange/tests/test_search_index.py fails if the
# search's expression and these indexes part ways.
TEXT_FIELDS = (
    "title",
    "diversion_details",
    "discovery_details",
    "discovery_timeliness",
    "ways_and_methods",
    "actors_involved",
    "routes",
)
CONFIGS = ("english", "french", "spanish")


def _indexes():
    return [GinIndex(SearchVector(*TEXT_FIELDS, config=config), name=f"record_fts_{config}") for config in CONFIGS]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    record = apps.get_model("exchange", "Record")
    for index in _indexes():
        schema_editor.add_index(record, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    record = apps.get_model("exchange", "Record")
    for index in _indexes():
        schema_editor.remove_index(record, index)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0003_one_object_per_submission")]

    operations = [migrations.RunPython(create, drop)]
