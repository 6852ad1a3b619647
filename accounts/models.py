"""People who use dief, their role, their State, language and time zone."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import ParticipantRole, Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a time zone of the IANA database."), params={"value": value})


class User(AbstractUser):
    """A person. ``state`` is the State they act for (delegates, national authority users) or
    the inviting State (non-state experts); Secretariat staff and the CSP President have none."""

    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.DELEGATE)
    state = models.ForeignKey(
        "states.State", verbose_name=_("State"), on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    participant_role = models.CharField(
        _("participant role"), max_length=16, choices=ParticipantRole.choices, blank=True
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Zurich", validators=[validate_time_zone]
    )

    #: Raised when a second factor is added or removed: every other session of the user ends.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def get_session_auth_hash(self):
        """Django checks this on every request: it changes with the password and, here, with
        ``session_epoch``, so raising the epoch ends every session but the ones re-stamped."""
        return self._session_hash(settings.SECRET_KEY)

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(fallback_secret)

    def _session_hash(self, secret):
        from django.utils.crypto import salted_hmac

        value = self.password if not self.session_epoch else f"{self.password}:{self.session_epoch}"
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            value,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def clean(self):
        super().clean()
        if self.role in (Role.DELEGATE, Role.NATIONAL_AUTHORITY, Role.EXPERT) and not self.state_id:
            raise ValidationError({"state": _("A delegate, national authority user or expert belongs to a State.")})
        if self.is_superuser and (self.role != Role.ADMINISTRATOR or self.state_id):
            raise ValidationError(
                {"role": _("A superuser is a technical administrator of no State: it opens no confidential content.")}
            )
        if self.role == Role.DELEGATE and not self.participant_role:
            raise ValidationError({"participant_role": _("A delegate has a participant role (ToR rule 7).")})

    @property
    def is_secretariat(self) -> bool:
        return self.is_active and self.role == Role.SECRETARIAT

    @property
    def is_csp_president(self) -> bool:
        return self.is_active and self.role == Role.CSP_PRESIDENT

    @property
    def is_delegate(self) -> bool:
        return self.is_active and self.role == Role.DELEGATE and self.state_id is not None


class EnrolmentLink(models.Model):
    """A single-use, expiring link sent to a new account's email address: it lets the person
    set their own password and then enrol their second factor, once.

    The link's secret is never stored: the URL carries an HMAC of ``pk``, ``nonce`` and the
    email address it was sent to (keyed by ``SECRET_KEY``), so neither the database nor the
    outbox holds a usable link, and changing the email address kills it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_links")
    sent_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    nonce = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("password set at"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("second factor enrolled at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("enrolment link")
        verbose_name_plural = _("enrolment links")

    def __str__(self):
        return f"enrolment link #{self.pk}"
