"""Names for SQL written out by hand: a model's table and a field's column, quoted for the
database in use. The written-out queries (What is due, the meeting and list pages) build their
text from these, never from literal names, so a renamed table or column breaks no query."""

from django.db import connection


def table(model) -> str:
    """``model``'s table name, quoted (e.g. ``"meetings_meeting"``)."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model, field: str) -> str:
    """The column of ``model``'s field ``field`` (a foreign key's ``..._id``), quoted."""
    return connection.ops.quote_name(model._meta.get_field(field).column)
