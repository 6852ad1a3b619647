"""The authentication backend that loads the user of each request with their State in the
same query: every page of a delegate names it (the header) and asks whether it is eligible
today (ToR rule 6), which otherwise cost a query of its own on every page."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    """Django's model backend (passwords, permissions) whose ``get_user`` joins the user's State.

    Only the State row is joined: its treaty events and the Chair appointment are asked when a
    page needs them (annotating them as EXISTS subqueries cost more to compile than the two
    small queries, and the bare request would pay for them)."""

    def get_user(self, user_id):
        """The active user ``user_id`` with ``state`` loaded, or None."""
        users = get_user_model()._default_manager.select_related("state")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
