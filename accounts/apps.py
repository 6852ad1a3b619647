from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and roles")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import mark_session_start

        user_logged_in.connect(mark_session_start, dispatch_uid="dief_session_start")

        from notifications.registry import entitlement
        from notifications.services import register_context_provider

        from .enrolment import NOTIFICATION_KIND, email_context, still_enrolling

        register_context_provider(NOTIFICATION_KIND, email_context)
        entitlement(NOTIFICATION_KIND)(still_enrolling)
