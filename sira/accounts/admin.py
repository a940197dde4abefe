from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from sira.accounts.models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "org_type", "region", "is_synthetic"]
    list_filter = ["org_type", "region", "is_synthetic"]
    search_fields = ["name", "acronym"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "organisation", "role", "scope", "is_active"]
    list_filter = ["role", "scope", "organisation", "is_active"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Sira access"), {"fields": ["organisation", "role", "scope", "is_synthetic"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Sira access"), {"fields": ["organisation", "role", "scope"]}),
    ]
