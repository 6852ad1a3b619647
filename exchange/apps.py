from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = _("information exchange platform")

    def ready(self):
        from enforcement.registry import sweep_step

        from . import hooks  # noqa: F401 - fills documents.registry
        from .services import decide_due_lifts

        sweep_step(decide_due_lifts)  # lifts whose objection period ended, in the one sweep
