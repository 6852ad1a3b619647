from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = _("Non-state experts")

    def ready(self):
        from . import duties, notices, services  # noqa: F401 (registers the sweep handlers and deadline duties)

        duties.register()
        notices.register()
