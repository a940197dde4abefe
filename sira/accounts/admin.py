from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from sira.accounts import twofactor
from sira.accounts.models import Organisation, User

# No admin page shows a secret: django-otp's own admin would show every authenticator's key (and a
# QR code of it). Devices are managed through the "reset two-factor authentication" action below; API
# tokens (stored as digests) and recovery codes (keyed hashes) have no admin page.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "org_type", "region", "is_synthetic"]
    list_filter = ["org_type", "region", "is_synthetic"]
    search_fields = ["name", "acronym"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "organisation", "role", "scope", "is_active"]
    list_filter = ["role", "scope", "organisation", "is_active"]
    actions = ["reset_second_factor"]
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
