from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and roles")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import mark_session_start

        user_logged_in.connect(mark_session_start, dispatch_uid="dief_session_start")

        from notifications.registry import context_provider, entitlement

        from .enrolment import NOTIFICATION_KIND, add_email_context, link_still_usable

        context_provider(add_email_context)
        entitlement(NOTIFICATION_KIND)(link_still_usable)
