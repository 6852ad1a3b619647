from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SponsorshipConfig(AppConfig):
    name = "sponsorship"
    verbose_name = _("Sponsorship requests")

    def ready(self):
        from . import notices

        notices.register()
