"""The authentication backend that loads the user of each request with what every page asks
about them, in the same single query: their State, whether that State is eligible today and
whether they are the Chair in office today (ToR rules 4, 6).

Before it, a delegate's page cost three more queries (the State, its treaty events, the Chair
appointment) before the view asked anything. Nothing is cached beyond the request's own user
object: the answers hold for the procedural day they were read on, and a later day reads again.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from states.models import held_treaty_events

from .models import ChairAppointment
from .queries import procedural_today, remember_chair_appointment


class UserBackend(ModelBackend):
    """Django's model backend (passwords, permissions) whose ``get_user`` also reads the
    user's State, its treaty status today and the Chair appointment in office today."""

    def get_user(self, user_id):
        """The active user ``user_id`` with ``state`` loaded and today's answers remembered on
        it (see :meth:`states.models.State.remember_status` and
        :func:`meetings.queries.remember_chair_appointment`), or None."""
        today = procedural_today()
        held = held_treaty_events(today, "state_id")
        chair = ChairAppointment.objects.in_office_on(today).filter(chair=OuterRef("pk"))
        users = get_user_model()._default_manager.select_related("state")
        try:
            user = users.annotate(**held, dief_chair_appointed=Exists(chair)).get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        if user.state_id is not None:
            user.state.remember_status(today, {name: getattr(user, name) for name in held})
        remember_chair_appointment(user, today, user.dief_chair_appointed)
        return user if self.user_can_authenticate(user) else None
