from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from dief.errors import RuleViolation

from .enrolment import send_enrolment_link
from .enums import GrantStatus, Role
from .models import RoleGrant, User
from .services import check_grant_request, opens_confidential_content, request_grant, sync_groups


class NewAccountForm(forms.ModelForm):
    """A new account: no password (its owner chooses one through the enrolment link sent to
    this email address) and no role (asked for as a role grant, confirmed by the Secretariat)."""

    email = forms.EmailField(label=_("Email address"), help_text=_("The enrolment link is sent here."))

    class Meta:
        model = User
        fields = ("username", "email", "first_name", "last_name", "language", "time_zone")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts; the technical administrator opens no confidential content here: it sets no
    password, and asks for roles and States as grants a Secretariat officer confirms."""

    list_display = ("username", "email", "role", "state", "participant_role", "is_active")
    list_filter = ("role", "participant_role", "is_active")
    search_fields = ("username", "email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        (_("Forum"), {"fields": ("role", "state", "participant_role", "language", "time_zone")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "email", "first_name", "last_name", "language", "time_zone")}),)
    add_form = NewAccountForm
    add_form_template = None
    filter_horizontal = ()
    actions = ["send_enrolment_links"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Roles and States change only through confirmed grants; passwords only by their owner.
        fields = ["role", "state", "participant_role", "last_login", "date_joined"]
        if obj.pk == request.user.pk:
            fields += ["is_superuser", "is_staff", "is_active"]
        if opens_confidential_content(obj.role, obj.state) or obj.role_grants.filter(status=GrantStatus.PENDING):
            # The enrolment link and password reset go to this address: not redirected by an administrator.
            fields.append("email")
        return fields

    def get_urls(self):
        return [u for u in super().get_urls() if getattr(u, "name", "") != "auth_user_password_change"]

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied

    def save_model(self, request, obj, form, change):
        if not change:
            obj.role = Role.NONE
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sync_groups(form.instance)
        if not change:
            self._send_link(request, form.instance)

    def _send_link(self, request, user):
        try:
            send_enrolment_link(user, by=request.user)
        except RuleViolation as exc:
            self.message_user(request, f"{user.username}: {exc.message}", messages.WARNING)
        else:
            self.message_user(request, _("An enrolment link was sent to %(email)s.") % {"email": user.email})

    @admin.action(description=_("Send a new enrolment link"))
    def send_enrolment_links(self, request, queryset):
        for user in queryset:
            self._send_link(request, user)


class RoleGrantForm(forms.ModelForm):
    class Meta:
        model = RoleGrant
        fields = ("user", "role", "state", "participant_role")

    def clean(self):
        data = super().clean()
        if data.get("user") and data.get("role"):
            try:
                check_grant_request(
                    data["user"],
                    by=self.requester,
                    role=data["role"],
                    state=data.get("state"),
                    participant_role=data.get("participant_role") or "",
                )
            except RuleViolation as exc:
                raise forms.ValidationError(exc.message) from None
        return data


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """Ask for a role or State for an account. One that opens confidential content waits for a
    Secretariat officer's confirmation in the application; nothing here confirms it."""

    form = RoleGrantForm
    list_display = ("user", "role", "state", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status", "role")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.requester = request.user
        return form

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        grant = request_grant(
            obj.user,
            by=request.user,
            role=obj.role,
            state=obj.state,
            participant_role=obj.participant_role,
        )
        obj.pk = grant.pk
        obj.status = grant.status
        if grant.status == GrantStatus.PENDING:
            self.message_user(request, _("The request waits for a Secretariat officer's confirmation."))

    def save_related(self, request, form, formsets, change):
        pass
