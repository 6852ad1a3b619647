from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from agendas import urls as agenda_urls
from dief.health import health
from meetings import urls as meeting_urls
from presentations.delegation_views import meeting_urlpatterns as delegation_urlpatterns

# One "meetings" namespace for the meeting's pages, whichever app owns them (meetings, the
# agenda in agendas, the delegations in presentations): URL names such as "meetings:agenda"
# stay stable when a page moves between apps.
meeting_pages = meeting_urls.urlpatterns + agenda_urls.urlpatterns + delegation_urlpatterns

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/enrol/<int:link_id>/<str:token>/", account_views.enrolment_link, name="enrolment_link"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="emails/password_reset_body.txt",
            subject_template_name="emails/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html", post_reset_login=False
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("accounts/", include("accounts.urls")),
    path("health/", health, name="health"),
    path("i18n/setlang/", account_views.switch_language, name="set_language"),
    path("twofactor/", include("twofactor.urls")),
    path("meetings/", include((meeting_pages, "meetings"))),
    path("due/", include("due.urls")),
    path("presentations/", include("presentations.urls")),
    path("documents/", include("documents.urls")),
    path("experts/", include("experts.urls")),
    path("briefings/", include("briefings.urls")),
    path("participation/", include("participation.urls")),
    path("sponsorship/", include("sponsorship.urls")),
    path("exchange/", include("exchange.urls")),
    path(settings.DIEF_ADMIN_URL, admin.site.urls),
]
