"""A statistics cell in a page: the count, or the hidden marker ("<5") where the layer hid it."""

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def stat(value, threshold=None):
    threshold = threshold or settings.SIRA_SMALL_CELL_THRESHOLD
    if value is None:
        return format_html(
            '<span class="hidden-cell" title="{}">&lt;{}</span>',
            _("Hidden: fewer than the threshold, or hidden so that none can be derived"),
            threshold,
        )
    return value


@register.simple_tag
def stat_bar(value, maximum):
    """The count with a bar (a <meter>: no inline style, so the page's CSP holds)."""
    if value is None:
        return stat(None)
    return format_html('<meter class="bar" min="0" max="{}" value="{}"></meter> {}', maximum, value, value)
