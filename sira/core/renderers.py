"""The form renderer: Django's Jinja2 widget templates, falling back to the Django template engine for
widgets that ship no Jinja2 template (the admin's, django.contrib.auth's).

Why: the Django template engine renders every <option> of a select through an include, so a list
page's filters or a country list cost more than the rest of the page; Django's own Jinja2 templates
draw the same HTML several times faster."""

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


class FastWidgets(Jinja2):
    @cached_property
    def _fallback(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._fallback.get_template(template_name)
