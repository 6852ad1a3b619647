from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    """Celery's periodic sweep: applies every ToR deadline transition once, when it is due."""

    name = "enforcement"
    verbose_name = _("Deadline enforcement")

    def ready(self):
        from . import services

        services.register_entitlements()
