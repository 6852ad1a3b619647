"""Object permissions read the one cheap way: an EXISTS on a model's direct foreign-key
permission table (django-guardian's ``GroupObjectPermissionBase``), joined to the user's groups.

``meetings_for_user``, ``presentations_for_user`` and the other ``*_for_user()`` queries use it
instead of ``guardian.shortcuts.get_objects_for_user``, which resolves content types and nests
subqueries on every call. Global permissions and superuser status never count here.
"""

from django.db.models import Exists, OuterRef, QuerySet


def granted_to_user_groups(
    queryset: QuerySet, group_permission_model, codename: str, user, ref: str = "pk"
) -> QuerySet:
    """``queryset`` narrowed to the objects whose ``codename`` permission was granted to one of
    ``user``'s groups in ``group_permission_model`` (a direct foreign-key table whose
    ``content_object`` points at the queryset's model, or, with ``ref``, at the object that
    the queryset's field ``ref`` holds the id of, e.g. ``"meeting_id"``). One indexed EXISTS;
    no extra query."""
    groups = user.groups.through.objects.filter(user_id=user.pk).values("group_id")
    grants = group_permission_model.objects.filter(
        content_object=OuterRef(ref), permission__codename=codename, group_id__in=groups
    )
    return queryset.filter(Exists(grants))


def granted_to_user(queryset: QuerySet, user_permission_model, codename: str, user) -> QuerySet:
    """``queryset`` narrowed to the objects whose ``codename`` permission was granted to ``user``
    itself in ``user_permission_model`` (a direct foreign-key table, django-guardian's
    ``UserObjectPermissionBase``): how individual non-state experts are given access
    (ToR rules 8, 15). One indexed EXISTS; groups, global permissions and superuser status
    never count."""
    grants = user_permission_model.objects.filter(
        content_object=OuterRef("pk"), permission__codename=codename, user_id=user.pk
    )
    return queryset.filter(Exists(grants))
