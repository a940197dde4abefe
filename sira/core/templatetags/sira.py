from django import template
from django.conf import settings

register = template.Library()


@register.filter
def cell(count):
    """A statistics cell: the count, or "<threshold" where it was suppressed (None)."""
    return f"<{settings.SIRA_SMALL_CELL_THRESHOLD}" if count is None else count


@register.filter
def any_errors(forms) -> bool:
    """Whether any of a page's forms has an error (the error summary at the top shows them all)."""
    return any(f.errors for f in forms or [])
