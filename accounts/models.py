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

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

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
