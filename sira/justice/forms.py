"""Web input → service arguments. The services check the rules and raise every error at once;
`show_errors` puts them on the form's fields."""

from django import forms
from django import forms as dj
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from sira.accounts.models import Organisation
from sira.cases import access as case_access
from sira.cases import choices as case_choices
from sira.geo.models import Region
from sira.justice import choices
from sira.justice.models import LegalArticle

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def show_errors(form, error: ValidationError) -> None:
    for key, messages in error.message_dict.items():
        field = key if key in form.fields else None
        for message in messages:
            form.add_error(field, message)


def exploitation_forms():
    return case_choices.exploitation_form()


class InvestigationForm(forms.Form):
    agency = dj.ChoiceField(label=_("Agency"), choices=choices.Agency.choices)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all())
    forms = forms.MultipleChoiceField(
        label=_("Forms of exploitation"), choices=exploitation_forms, widget=dj.CheckboxSelectMultiple
    )
    operation_type = dj.ChoiceField(label=_("Type of operation"), choices=choices.OperationType.choices)
    case_numbers = dj.CharField(
        label=_("Linked case numbers (victims)"),
        required=False,
        help_text=_("Case numbers separated by commas, e.g. BPMC-2026-00012."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_case_numbers(self):
        numbers = [n.strip().upper() for n in self.cleaned_data["case_numbers"].split(",") if n.strip()]
        cases = list(case_access.visible_cases(self.user).filter(case_number__in=numbers))
        missing = sorted(set(numbers) - {c.case_number for c in cases})
        if missing:
            raise ValidationError(_("No case you may see has the number: %(n)s.") % {"n": ", ".join(missing)})
        return cases


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE)
    closing_reason = forms.ChoiceField(label=_("Reason"), choices=choices.ClosingReason.choices)


class SuspectForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    alias = forms.CharField(label=_("Alias"), required=False, max_length=100)
    identity_number = forms.CharField(label=_("Identity document number"), required=False, max_length=60)
    gender = forms.ChoiceField(label=_("Sex"), choices=lambda: [("", "—"), *case_choices.gender()])
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Role in the process"),
        required=False,
        choices=choices.RoleInProcess.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    is_public_official = forms.BooleanField(label=_("Public official"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [("", "—"), *countries]


class ProsecutionForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Prosecutor's office or court"),
        queryset=Organisation.objects.filter(org_type="ProsecutionCourt"),
    )
    court = forms.ChoiceField(label=_("Court"), choices=choices.Court.choices)
    court_reference = forms.CharField(label=_("Court reference"), required=False, max_length=60)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE)


def article_choices():
    seen, out = set(), []
    for a in LegalArticle.objects.order_by("instrument", "code", "-valid_from"):
        if a.code not in seen:
            seen.add(a.code)
            # What tells offences apart first: a phone shows only the start of an option.
            out.append((a.code, f"{a.title()} — {a.article} ({a.instrument_title()[:40]}…)"))
    return out


class ChargeForm(forms.Form):
    suspect = forms.ChoiceField(label=_("Suspect"))
    article = forms.ChoiceField(
        label=_("Offence"),
        choices=article_choices,
        help_text=_("The text in force on the offence date is used."),
    )
    offence_date = forms.DateField(label=_("Offence date"), widget=DATE)

    def __init__(self, *args, prosecution=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.suspects = {str(s.pk): s for s in prosecution.investigation.suspects.all()}
        # No suspect or offence is chosen for the user: a hurried save must not charge the wrong one.
        self.fields["suspect"].choices = [("", "—")] + [
            (k, s.full_name or str(s)) for k, s in self.suspects.items()
        ]
        self.fields["article"].choices = [("", "—"), *article_choices()]


class HearingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind of hearing"), choices=choices.HearingKind.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class VerdictForm(forms.Form):
    charge = forms.ChoiceField(label=_("Charge"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=choices.Outcome.choices)
    outcome_date = forms.DateField(label=_("Date of the decision"), widget=DATE, required=False)
    dropped_reason = forms.ChoiceField(
        label=_("If dropped: why"), required=False, choices=[("", "—"), *choices.DroppedReason.choices]
    )
    prison_months = forms.IntegerField(label=_("Prison (months)"), required=False, min_value=0)
    suspended_months = forms.IntegerField(label=_("of which suspended (months)"), required=False, min_value=0)
    life = forms.BooleanField(label=_("Life imprisonment"), required=False)
    fine_fcfa = forms.IntegerField(label=_("Fine (FCFA)"), required=False, min_value=0)
    other = forms.CharField(label=_("Other penalty"), required=False, max_length=200)

    def __init__(self, *args, prosecution=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.charges = {
            str(c.pk): c for c in prosecution.charges.select_related("suspect", "article").order_by("id")
        }
        self.fields["charge"].choices = [("", "—")] + [
            (k, f"{c.suspect.full_name or c.suspect} — {c.article.article}: {c.article.title()}")
            for k, c in self.charges.items()
        ]

    def sentence(self) -> dict:
        return {
            f: self.cleaned_data.get(f)
            for f in ("prison_months", "suspended_months", "life", "fine_fcfa", "other")
        }


class AppealForm(forms.Form):
    suspect = forms.ChoiceField(label=_("Defendant"))
    appealed_by = forms.ChoiceField(label=_("Appealed by"), choices=choices.AppealBy.choices)
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE)
    result = forms.ChoiceField(label=_("Result"), choices=choices.AppealResult.choices)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE, required=False)

    def __init__(self, *args, prosecution=None, **kwargs):
        super().__init__(*args, **kwargs)
        suspects = {c.suspect for c in prosecution.charges.select_related("suspect")}
        self.suspects = {str(s.pk): s for s in suspects}
        self.fields["suspect"].choices = [
            (k, s.full_name or str(s)) for k, s in sorted(self.suspects.items())
        ]


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(_("The end of the period cannot be before its start."))
        return data
