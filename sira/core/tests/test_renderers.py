"""The fast form renderer draws the same HTML as the Django template engine, and falls back to it for
widgets that ship no Jinja2 template."""

import re

from django import forms
from django.contrib.auth.forms import UserChangeForm
from django.forms.renderers import DjangoTemplates
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from sira.core.renderers import FastWidgets


def _normal(html: str) -> str:
    # Jinja2 writes &#34; and &#39; where Django writes &quot; and &#x27;: the same characters.
    html = html.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


class Sample(forms.Form):
    name = forms.CharField(max_length=20, required=False)
    country = LazyTypedChoiceField(choices=countries)
    several = forms.MultipleChoiceField(
        choices=[("a", "A & B"), ("b", "<b>")], widget=forms.CheckboxSelectMultiple
    )
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    yes = forms.BooleanField(required=False)


def test_widgets_are_drawn_as_the_django_engine_draws_them():
    form = Sample(data={"name": '"quoted" <name>', "country": "ML", "several": ["b"], "when": "2026-01-02"})
    for field in form:
        form.renderer = DjangoTemplates()
        slow = str(form[field.name])
        form.renderer = FastWidgets()
        assert _normal(str(form[field.name])) == _normal(slow), field.name


def test_a_widget_without_a_jinja2_template_falls_back(db):
    form = UserChangeForm(renderer=FastWidgets())
    assert "password" in str(form["password"]).lower()
