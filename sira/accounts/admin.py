from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from sira.accounts import services, twofactor
from sira.accounts.models import AccessChange, Organisation, User
from sira.audit.admin import AuditedAdmin

# No admin page shows a secret: django-otp's own admin would show every authenticator's key (and a
# QR code of it). Devices are managed through the "reset two-factor authentication" action below; API
# tokens (stored as digests) and recovery codes (keyed hashes) have no admin page.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "acronym", "org_type", "region", "is_synthetic"]
    list_filter = ["org_type", "region", "is_synthetic"]
    search_fields = ["name", "acronym"]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, BaseGroupAdmin):
    pass


class _AccessChecked:
    """Refuses, with the form's error, a change by an administrator to their own access."""

    by = None

    def clean(self):
        data = super().clean()
        try:
            services.refuse_self_change(self.by, self.instance, self.changed_data)
        except ValidationError as error:
            self.add_error(None, error)
        return data


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    """Access fields (services.ACCESS_FIELDS) are never saved from here: they become a pending
    AccessChange that another administrator approves (see AccessChangeAdmin)."""

    list_display = ["username", "organisation", "role", "scope", "is_active"]
    list_filter = ["role", "scope", "organisation", "is_active"]
    actions = ["reset_second_factor"]  # and no bulk delete: see get_actions, has_delete_permission
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Sira access"), {"fields": ["organisation", "role", "scope", "is_synthetic"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Sira access"), {"fields": ["organisation", "role", "scope"]}),
    ]

    @admin.action(description=_("Reset two-factor authentication (the user sets it up again)"))
    def reset_second_factor(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                twofactor.reset(user, by=request.user, request=request)
            except PermissionDenied:
                self.message_user(
                    request,
                    _("You cannot reset your own second factor: ask another administrator."),
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "Two-factor authentication reset for %(count)d user; their API token is revoked.",
                    "Two-factor authentication reset for %(count)d users; their API tokens are revoked.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (_AccessChecked, form), {"by": request.user})

    def save_model(self, request, obj, form, change):
        proposed = {f: form.cleaned_data[f] for f in services.ACCESS_FIELDS if f in form.cleaned_data}
        for field in services.MANY:  # held: save_related must not set them
            form.cleaned_data.pop(field, None)
        save = services.update_user if change else services.create_user
        held = save(obj, by=request.user, fields=form.changed_data, proposed=proposed, request=request)
        if held is not None:
            self.message_user(
                request,
                _("The access change (%(change)s) waits for another administrator's approval.")
                % {"change": services.describe(held)},
                messages.WARNING,
            )

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            services.record_password_change(User.objects.get(pk=id), by=request.user, request=request)
        return response

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not services.may_delete(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(AccessChange)
class AccessChangeAdmin(admin.ModelAdmin):
    """Held changes to users' access; a second administrator approves or rejects them."""

    list_display = ["requested_at", "user", "summary", "requested_by", "status", "decided_by"]
    list_filter = ["status"]
    actions = ["approve", "reject"]
    readonly_fields = [
        "user",
        "requested_by",
        "requested_at",
        "summary",
        "status",
        "decided_by",
        "decided_at",
    ]
    exclude = ["changes"]

    @admin.display(description=_("changes"))
    def summary(self, change):
        return services.describe(change)

    def _decide(self, request, queryset, decide, done):
        count = 0
        for change in queryset:
            try:
                decide(change, by=request.user, request=request)
            except ValidationError as error:
                self.message_user(request, f"{change.user}: {' '.join(error.messages)}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Approve the selected access changes"))
    def approve(self, request, queryset):
        self._decide(
            request, queryset, services.approve_access_change, _("%(count)s access changes approved.")
        )

    @admin.action(description=_("Reject the selected access changes"))
    def reject(self, request, queryset):
        self._decide(
            request, queryset, services.reject_access_change, _("%(count)s access changes rejected.")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
