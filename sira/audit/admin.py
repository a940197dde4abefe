from django.contrib import admin
from django.db import transaction

from sira.audit.models import AuditEvent
from sira.audit.services import record


class AuditedAdmin:
    """Put before admin.ModelAdmin: every add, change and delete made through this admin is written to
    the audit chain, with the names of the fields changed (never their values)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = AuditEvent.Action.CHANGE if change else AuditEvent.Action.CREATE
        record(action, request=request, obj=obj, fields=sorted(form.changed_data), via="admin")

    def delete_model(self, request, obj):
        with transaction.atomic():
            record(AuditEvent.Action.DELETE, request=request, obj=obj, via="admin")
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                record(AuditEvent.Action.DELETE, request=request, obj=obj, via="admin")
            super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence; nobody edits or deletes it, administrators included."""

    list_display = ["seq", "at", "actor_username", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_id"]
    ordering = ["-seq"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
