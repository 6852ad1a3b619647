from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = _("information exchange platform")

    def ready(self):
        from . import hooks  # noqa: F401 - fills documents.registry
