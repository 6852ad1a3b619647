"""Health checks for a load balancer and for whoever runs the service (django-health-check).

``/health/`` needs no session and reveals nothing confidential: each check answers "OK" or a
generic failure. It covers the database, the Celery broker, the document storage (a round
trip through the encrypting storage) and the sweep (it finished within the last three
intervals, so a dead beat is seen).

A failed check answers 503 Service Unavailable (not django-health-check's 500, which reads as
a crash): the service is up but not ready, e.g. before the first sweep has run. The body
names the failed check and why, in HTML, plain text (``?format=text``) or JSON
(``?format=json``).
"""

import dataclasses
import datetime

from django.conf import settings
from django.db import connection
from health_check.base import HealthCheck
from health_check.checks import Database as _Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu import Connection

from dief import clock
from enforcement.services import last_sweep_finished_at


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker answers (Redis in production, the on-disk broker on a laptop)."""

    timeout = datetime.timedelta(seconds=3)

    def run(self):
        try:
            with Connection(
                settings.CELERY_BROKER_URL,
                transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
                connect_timeout=2,
            ) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            raise ServiceUnavailable("broker unreachable") from exc


@dataclasses.dataclass
class Database(_Database):
    """The database answers; the check's thread gives its connection back when done."""

    def run(self):
        try:
            super().run()
        finally:
            connection.close()


@dataclasses.dataclass
class Sweep(HealthCheck):
    """The deadline sweep finished within the last three intervals."""

    def run(self):
        try:
            finished = last_sweep_finished_at()
        finally:
            connection.close()
        allowed = datetime.timedelta(seconds=3 * settings.DIEF_SWEEP_INTERVAL_SECONDS)
        if finished is None:
            raise ServiceUnavailable(
                "the deadline sweep has not run yet (Celery beat starts it every "
                f"{settings.DIEF_SWEEP_INTERVAL_SECONDS} s; is beat running?)"
            )
        if clock.now() - finished > allowed:
            raise ServiceUnavailable("the sweep has not run within three intervals")


CHECKS = (
    "dief.health.Database",
    "health_check.checks.Storage",
    "dief.health.Broker",
    "dief.health.Sweep",
)


class Health(HealthCheckView):
    """django-health-check's view, answering 503 instead of 500 when a check fails."""

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response


health = Health.as_view(checks=CHECKS)
