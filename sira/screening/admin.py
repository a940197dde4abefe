import io

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from sira.screening.catalogue import CatalogueError
from sira.screening.loaders import store
from sira.screening.models import CatalogueVersion, ImportBatch, QuarantinedRow


class CatalogueUploadForm(forms.ModelForm):
    file = forms.FileField(label=_("Catalogue file (YAML)"))
    make_current = forms.BooleanField(label=_("Make it the current version"), required=False, initial=True)

    class Meta:
        model = CatalogueVersion
        fields = []

    def clean(self):
        data = super().clean()
        if upload := data.get("file"):
            try:
                self.text = upload.read().decode("utf-8")
                from sira.screening.loaders import read

                read(self.text)
            except (UnicodeDecodeError, CatalogueError) as exc:
                problems = getattr(exc, "problems", [str(exc)])
                raise forms.ValidationError(problems) from exc
        return data


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(admin.ModelAdmin):
    """Administrators load a new catalogue without a deploy; loaded versions are never edited."""

    list_display = ["version", "is_current", "loaded_at", "loaded_by"]
    actions = ["compare_screenings"]
    readonly_fields = ["version", "sha256", "loaded_at", "loaded_by", "is_current"]
    exclude = ["data"]

    def get_form(self, request, obj=None, **kwargs):
        return CatalogueUploadForm if obj is None else super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["file", "make_current"] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        try:
            version = store(
                CatalogueVersion,
                form.text,
                make_current=form.cleaned_data["make_current"],
                loaded_by=request.user,
            )
        except CatalogueError as exc:
            messages.error(request, "; ".join(exc.problems))
            return
        obj.pk = version.pk

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Compare older screenings under this version (CSV report)"))
    def compare_screenings(self, request, queryset):
        """The same report as `manage.py rescore_screenings`; nothing stored is changed."""
        from sira.screening import rescore

        if queryset.count() != 1:
            messages.error(request, _("Choose exactly one catalogue version to compare under."))
            return None
        version = queryset.get()
        out = io.StringIO()
        rescore.write_csv(rescore.compare(version), out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="rescore-{version.version}.csv"'
        return response


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["file_name", "imported_by", "created_at", "total_rows", "processed_rows", "finished_at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QuarantinedRow)
class QuarantinedRowAdmin(admin.ModelAdmin):
    """Which rows wait to be fixed, never what they say: the row and its reasons are encrypted and stay
    out of the admin (the worker who imported the file sees them in the import report)."""

    list_display = ["batch", "row_number", "submission_id", "created_at"]
    fields = ["batch", "row_number", "submission_id", "created_at"]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False
