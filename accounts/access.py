"""Object permissions read the one cheap way: an EXISTS on a model's direct foreign-key
permission table (django-guardian's ``GroupObjectPermissionBase``) for the user's groups.

``meetings_for_user``, ``presentations_for_user`` and the other ``*_for_user()`` queries use it
instead of ``guardian.shortcuts.get_objects_for_user``, which resolves content types and nests
subqueries on every call. Global permissions and superuser status never count here.

The EXISTS is one small expression (:class:`Granted`) whose only column from the outer query
is the object's id, resolved and relabelled by Django like any other column (so the queryset
may itself be a subquery); its SQL is written once, not built from querysets on every call.
"""

from django.contrib.auth.models import Permission
from django.db.models import BooleanField, Expression, F, QuerySet


class Granted(Expression):
    """``EXISTS`` a row of the direct foreign-key permission table ``permission_model`` giving
    permission ``codename`` on the object whose id is ``ref`` (an outer column), to ``user_id``
    itself (``by="user"``) or to one of its groups (``by="group"``). A boolean condition."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, ref, permission_model, codename: str, user_id: int, by: str):
        super().__init__(output_field=BooleanField())
        self.ref = ref if hasattr(ref, "resolve_expression") else F(ref)
        self.permission_model, self.codename, self.user_id, self.by = permission_model, codename, user_id, by

    def __repr__(self):
        return f"Granted({self.ref!r}, {self.permission_model.__name__}, {self.codename!r}, {self.by})"

    def get_source_expressions(self):
        return [self.ref]

    def set_source_expressions(self, exprs):
        (self.ref,) = exprs

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        clone = self.copy()
        clone.ref = self.ref.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return clone

    def as_sql(self, compiler, connection, in_list: str = "{column} IN ({subquery})"):
        ref_sql, ref_params = compiler.compile(self.ref)
        q = connection.ops.quote_name
        table = q(self.permission_model._meta.db_table)
        if self.by == "user":
            whom = f'"dief_g".{q("user_id")} = %s'
        else:
            through = self.permission_model._meta.get_field("group").related_model.user_set.through._meta
            whom = in_list.format(
                column=f'"dief_g".{q("group_id")}',
                subquery=f'SELECT "dief_ug".{q("group_id")} FROM {q(through.db_table)} "dief_ug"'
                f' WHERE "dief_ug".{q("user_id")} = %s',
            )
        which = in_list.format(
            column=f'"dief_g".{q("permission_id")}',
            subquery=f'SELECT "dief_p".{q("id")} FROM {q(Permission._meta.db_table)} "dief_p"'
            f' WHERE "dief_p".{q("codename")} = %s',
        )
        sql = (
            f'EXISTS (SELECT 1 FROM {table} "dief_g"'
            f' WHERE "dief_g".{q("content_object_id")} = ({ref_sql}) AND {whom} AND {which})'
        )
        return sql, (*ref_params, self.user_id, self.codename)

    def as_postgresql(self, compiler, connection):
        # the user's groups and the permission ids as arrays read once per query (InitPlans):
        # each object is then one probe of the (group, permission, object) unique index, where
        # a correlated IN over the user's groups made the planner walk every grant of the object
        return self.as_sql(compiler, connection, in_list="{column} = ANY(ARRAY({subquery}))")


def granted_to_user_groups(
    queryset: QuerySet, group_permission_model, codename: str, user, ref: str = "pk"
) -> QuerySet:
    """``queryset`` narrowed to the objects whose ``codename`` permission was granted to one of
    ``user``'s groups in ``group_permission_model`` (a direct foreign-key table whose
    ``content_object`` points at the queryset's model, or, with ``ref``, at the object that
    the queryset's field ``ref`` holds the id of, e.g. ``"meeting_id"``). One indexed EXISTS;
    no extra query."""
    return queryset.filter(Granted(ref, group_permission_model, codename, user.pk, "group"))


def granted_to_user(queryset: QuerySet, user_permission_model, codename: str, user) -> QuerySet:
    """``queryset`` narrowed to the objects whose ``codename`` permission was granted to ``user``
    itself in ``user_permission_model`` (a direct foreign-key table, django-guardian's
    ``UserObjectPermissionBase``): how individual non-state experts are given access
    (ToR rules 8, 15). One indexed EXISTS; groups, global permissions and superuser status
    never count."""
    return queryset.filter(Granted("pk", user_permission_model, codename, user.pk, "user"))


_sql_cache: dict = {}


def granted_sql(connection, permission_model, codename: str, user_id: int, by: str, ref_sql: str) -> tuple[str, tuple]:
    """The condition of :class:`Granted` as SQL text for a written-out query, the object's id
    being ``ref_sql`` (a column of the query), with its parameters: exactly what the ORM's filter
    compiles to. The text is built once per database, table and column."""
    key = (connection.alias, connection.vendor, permission_model, by, ref_sql)
    sql = _sql_cache.get(key)
    if sql is None:

        class _Outer:  # the EXISTS' one outer column
            def compile(self, node):
                return ref_sql, []

        expression = Granted("pk", permission_model, codename, 0, by)
        as_sql = expression.as_postgresql if connection.vendor == "postgresql" else expression.as_sql
        sql = _sql_cache[key] = as_sql(_Outer(), connection)[0]
    return sql, (user_id, codename)
