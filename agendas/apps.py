from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendasConfig(AppConfig):
    name = "agendas"
    verbose_name = _("Agendas")

    def ready(self):
        from experts.registry import on_referred

        from . import duties, services

        duties.register()
        on_referred(services.add_referral_item)
