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


def reads(connection, parts):
    """For each ``(alias, model, fields or None for all)`` of ``parts``: the alias, the model, its
    fields, each field's database converters (as the ORM applies them) and how a row's values
    become an instance (:func:`_plan`); and the columns to select, in that order (for
    :func:`split_row`)."""
    q = connection.ops.quote_name
    out, columns = [], []
    for alias, model, fields in parts:
        fields = fields or list(model._meta.concrete_fields)
        converters = [
            connection.ops.get_db_converters(f.get_col(alias)) + f.get_db_converters(connection) for f in fields
        ]
        out.append((alias, model, fields, converters, _plan(model, fields)))
        columns.extend(f"{q(alias)}.{q(f.column)}" for f in fields)
    return out, columns


def from_row(connection, model, fields, converters, values, plan=None):
    """An instance of ``model`` from the database ``values`` of ``fields`` (converted as the ORM
    converts them; the fields not read are deferred, as ``only()`` leaves them); None when the
    row was not joined (its primary key is null)."""
    names, order, pk_index = plan or _plan(model, fields)
    if values[pk_index] is None:
        return None
    converted = list(values)
    for n, field_converters in enumerate(converters):
        if field_converters:
            value, field = converted[n], fields[n]
            for converter in field_converters:
                value = converter(value, field, connection)
            converted[n] = value
    if order is not None:
        converted = [converted[n] for n in order]
    return model.from_db(connection.alias, names, converted)


def _plan(model, fields):
    """For :func:`from_row`: the attribute names ``from_db`` takes (those of ``fields`` in the
    model's order), the positions of their values in a row (None: the same) and the primary
    key's position."""
    position = {f.attname: n for n, f in enumerate(fields)}
    names = [f.attname for f in model._meta.concrete_fields if f.attname in position]
    order = [position[name] for name in names]
    pk_index = next(n for n, f in enumerate(fields) if f.primary_key)
    return names, None if order == list(range(len(fields))) else order, pk_index


def split_row(connection, parts_read, row):
    """The instances of one row read with :func:`reads`'s columns, in the order of its parts,
    and what the row holds after them."""
    objects, start = [], 0
    for _alias, model, fields, converters, plan in parts_read:
        end = start + len(fields)
        objects.append(from_row(connection, model, fields, converters, row[start:end], plan))
        start = end
    return objects, row[start:]
