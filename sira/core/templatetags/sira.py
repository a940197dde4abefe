from django import template
from django.conf import settings

from sira.core.vocab import label

register = template.Library()


@register.filter
def cell(count):
    """A statistics cell: the count, or "<threshold" where it was suppressed (None)."""
    return f"<{settings.SIRA_SMALL_CELL_THRESHOLD}" if count is None else count


@register.filter
def any_errors(forms) -> bool:
    """Whether any of a page's forms has an error (the error summary at the top shows them all)."""
    return any(f.errors for f in forms or [])


@register.filter
def term(code, name: str) -> str:
    """The label of a code of one of the vocabulary lists (sira/core/data), in the active language:
    `{{ case.case_status|term:"case_status" }}`. A dictionary lookup, where a model's
    get_FOO_display rebuilds its whole choice list at every call (a list page shows hundreds)."""
    return label(name, code) if code else ""
