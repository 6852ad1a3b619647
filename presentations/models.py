"""Intentions to present (ToR rule 11), involved States and their replies (rule 12), documents."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from dief.confidentiality import DiversionInformation

from .enums import Consent, PresentationKind, PresentationStatus, RightOfReply


class Presentation(DiversionInformation):
    """A State's registered intention to present at a meeting. Confidential (rule 14):
    reached only through :func:`presentations.queries.presentations_for_user`. Carries the
    rule 18 fields, the rule 19 types and the presenting State's classification (rule 15)."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="presentations")
    presenting_state = models.ForeignKey(
        "states.State", verbose_name=_("presenting State"), on_delete=models.PROTECT, related_name="presentations"
    )
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("registered at"))
    kind = models.CharField(_("kind"), max_length=16, choices=PresentationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), help_text=_("What involved States see when they are notified."))
    consent_legally_required = models.BooleanField(
        _("consent of the involved States is legally required"),
        default=False,
        help_text=_("ToR rule 12: then the presentation cannot be scheduled without each involved State's consent."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PresentationStatus.choices, default=PresentationStatus.REGISTERED
    )
    involved_states_notified_at = models.DateTimeField(_("involved States notified at"), null=True, blank=True)
    countries = models.ManyToManyField(
        "states.State", verbose_name=_("countries concerned"), blank=True, related_name="+"
    )
    # ToR rules 11, 12: set, through services.mark_on_adopted_agenda, by the adoption of an agenda
    # that lists the presentation: it is given at the meeting, so the right of reply exists.
    on_adopted_agenda_at = models.DateTimeField(_("on the adopted agenda since"), null=True, blank=True)

    class Meta:
        ordering = ["registered_at", "pk"]
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")

    def __str__(self):
        # No content (title, States, names): this is what the admin and logs show.
        return f"presentation #{self.pk}"


class PresentationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Presentation, on_delete=models.CASCADE)


class PresentationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Presentation, on_delete=models.CASCADE)


class InvolvedState(models.Model):
    """An eligible State that a presentation's information involves (ToR rule 12)."""

    presentation = models.ForeignKey(Presentation, on_delete=models.CASCADE, related_name="involved_states")
    state = models.ForeignKey(
        "states.State", verbose_name=_("involved State"), on_delete=models.PROTECT, related_name="+"
    )
    notified_at = models.DateTimeField(_("notified at"))
    consent = models.CharField(_("consent"), max_length=12, choices=Consent.choices, default=Consent.NOT_ASKED)
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    right_of_reply = models.CharField(_("right of reply"), max_length=8, choices=RightOfReply.choices, blank=True)
    right_of_reply_recorded_at = models.DateTimeField(null=True, blank=True)
    right_of_reply_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["state__name"]
        constraints = [models.UniqueConstraint(fields=["presentation", "state"], name="involved_once")]
        verbose_name = _("involved State")
        verbose_name_plural = _("involved States")

    def __str__(self):
        # No content (title, States, names): this is what the admin and logs show.
        return f"involved State #{self.pk}"


class Reply(models.Model):
    """An involved State's response, attached to the presentation; the presenting State can
    neither edit nor remove it (ToR rule 12). One per involved State."""

    presentation = models.ForeignKey(Presentation, on_delete=models.CASCADE, related_name="replies")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("response"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    late = models.BooleanField(_("after the rule 12 response date"), default=False)

    class Meta:
        ordering = ["submitted_at"]
        constraints = [models.UniqueConstraint(fields=["presentation", "state"], name="one_reply_per_involved_state")]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self):
        # No content (title, States, names): this is what the admin and logs show.
        return f"reply #{self.pk}"
