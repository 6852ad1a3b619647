"""Meetings of the Forum, the ToR versions that govern them, Chair appointments, invitations."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.models import validate_time_zone

from .enums import HostSession, InvitationStatus


class ToRVersion(models.Model):
    """The ToR's numbers as adopted by a CSP. A meeting keeps the version in force when convened."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    in_force_from = models.DateField(_("in force from"), unique=True)
    max_meetings_per_year = models.PositiveSmallIntegerField(_("meetings per calendar year (rule 3)"))
    invitation_days = models.PositiveSmallIntegerField(_("invitation, days before (rule 9)"))
    expert_proposal_days = models.PositiveSmallIntegerField(_("expert proposals, days before (rule 8)"))
    silence_procedure_days = models.PositiveSmallIntegerField(_("silence procedure, days (rule 8)"))
    expert_objection_resolution_days = models.PositiveSmallIntegerField(_("objections resolved, days before (rule 8)"))
    draft_agenda_days = models.PositiveSmallIntegerField(_("draft agenda, days before (rule 10)"))
    involved_state_notice_days = models.PositiveSmallIntegerField(_("notice to involved States, days before (rule 12)"))
    involved_state_response_days = models.PositiveSmallIntegerField(
        _("response of involved States, days before (rule 12)")
    )

    class Meta:
        ordering = ["-in_force_from"]
        verbose_name = _("ToR version")
        verbose_name_plural = _("ToR versions")

    def __str__(self):
        return self.name

    @classmethod
    def in_force_on(cls, on_date: datetime.date) -> "ToRVersion":
        """The version in force on ``on_date``; before the first known one, the earliest."""
        version = cls.objects.filter(in_force_from__lte=on_date).order_by("-in_force_from").first()
        return version or cls.objects.order_by("in_force_from").first()


class ChairAppointmentQuerySet(models.QuerySet):
    def in_office_on(self, on_date: datetime.date):
        """Confirmed appointments whose term covers ``on_date``: a pending one makes nobody Chair."""
        return self.filter(appointed_on__lte=on_date, term_ends_on__gte=on_date, confirmed_at__isnull=False)


class ChairAppointment(models.Model):
    """ToR rule 4: the CSP President appoints the Chair until the conclusion of the following CSP.

    A term ends early only when the President appoints a successor in the same step
    (``ended_early_at``/``ended_early_by`` say so); terms never overlap."""

    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Chair"), on_delete=models.PROTECT, related_name="chair_appointments"
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appointed by (CSP President)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    appointed_on = models.DateField(_("appointed on"))
    term_ends_with = models.CharField(_("term ends with the conclusion of"), max_length=40, help_text=_("e.g. CSP12"))
    term_ends_on = models.DateField(_("last day of term"))
    #: The Chair reads confidential content: the appointment takes effect once a Secretariat
    #: officer other than the President and the Chair confirms it (accounts' role grants rule).
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by (Secretariat)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    ended_early_at = models.DateTimeField(_("term ended early at"), null=True, blank=True)
    ended_early_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ChairAppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["-appointed_on"]
        constraints = [
            models.CheckConstraint(condition=Q(term_ends_on__gte=models.F("appointed_on")), name="chair_term_ordered")
        ]
        verbose_name = _("Chair appointment")
        verbose_name_plural = _("Chair appointments")

    def __str__(self):
        # No content (title, States, names): this is what the admin and logs show.
        return f"Chair appointment #{self.pk}"


class Meeting(models.Model):
    """A meeting of the Forum (ToR rules 3, 9, 14). Confidential: reached only through
    :func:`meetings.queries.meetings_for_user`."""

    title = models.CharField(_("title"), max_length=200)
    start_date = models.DateField(_("start date"), db_index=True)
    end_date = models.DateField(_("end date"))
    venue = models.CharField(_("venue"), max_length=200)
    host_session = models.CharField(_("held during"), max_length=16, choices=HostSession.choices)
    host_session_name = models.CharField(
        _("session"), max_length=120, help_text=_("e.g. CSP12 second preparatory meeting")
    )
    procedural_time_zone = models.CharField(
        _("procedural time zone"),
        max_length=64,
        default=settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("IANA name; Geneva is Europe/Zurich."),
    )
    tor_version = models.ForeignKey(ToRVersion, verbose_name=_("ToR version"), on_delete=models.PROTECT)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convened by (CSP President)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty until the CSP President's decision to convene is recorded (ToR rule 3)."),
    )
    convened_on = models.DateField(_("date of the President's decision"), null=True, blank=True)
    convening_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decision recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    convening_on_paper = models.BooleanField(
        _("decision taken on paper and recorded by the Secretariat"),
        default=False,
    )
    consulted_chair = models.BooleanField(_("the Chair was consulted"), default=False)
    consulted_secretariat = models.BooleanField(_("the Secretariat was consulted"), default=True)
    short_notice_reason = models.TextField(_("reason for short notice (rule 9)"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # ToR rule 11: written by agendas.services.adopt in the transaction that adopts the agenda, so
    # that apps below agendas (presentations: registration closes; experts: proposals refused)
    # read the adoption without importing agendas.
    agenda_adopted_at = models.DateTimeField(_("agenda adopted at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="meeting_dates_ordered")
        ]
        permissions = [("manage_meeting", "Can manage the meeting (Secretariat)")]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        # No content (title, States, names): this is what the admin and logs show.
        return f"meeting #{self.pk}"

    @property
    def is_convened(self) -> bool:
        """True once the CSP President's decision to convene is recorded (ToR rule 3)."""
        return self.convened_by_id is not None and self.convened_on is not None


class MeetingUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)


class MeetingGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)


class Invitation(models.Model):
    """ToR rule 9: the invitation to all eligible States, with the call to present cases."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="invitation")
    status = models.CharField(
        _("status"), max_length=8, choices=InvitationStatus.choices, default=InvitationStatus.DRAFT
    )
    additional_text = models.TextField(
        _("additional text"), blank=True, help_text=_("Shown after the date, venue and the call to present cases.")
    )
    chair_consulted_at = models.DateTimeField(_("consultation recorded at"), null=True, blank=True)
    chair_consulted_on = models.DateField(_("date of the consultation"), null=True, blank=True)
    chair_consulted = models.ForeignKey(
        ChairAppointment, verbose_name=_("Chair consulted"), null=True, blank=True, on_delete=models.PROTECT
    )
    chair_consultation_note = models.TextField(_("consultation note"), blank=True)
    chair_consultation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chair_consultation_on_paper = models.BooleanField(
        _("consultation held outside the application and recorded by the Secretariat"), default=False
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_late = models.BooleanField(_("sent after the rule 9 deadline"), default=False)
    states_invited = models.ManyToManyField("states.State", blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        # No content (title, States, names): this is what the admin and logs show.
        return f"invitation #{self.pk}"

    @property
    def is_sent(self) -> bool:
        return self.status == InvitationStatus.SENT


class DelegationRegistration(models.Model):
    """A State's delegation to a meeting (ToR rule 7); every eligible State may register (rule 6)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="delegations")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="delegations", blank=True)
    #: A member has an enforcement officer's participant role (ToR rule 7): a stored copy kept
    #: with the members and their roles by ``meetings.officers``, for the participation figures.
    includes_enforcement_officer = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["state__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "state"], name="one_delegation_per_state")]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")

    def __str__(self):
        # No content (title, States, names): this is what the admin and logs show.
        return f"delegation registration #{self.pk}"
