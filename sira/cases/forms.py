import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sira.accounts.models import Organisation
from sira.cases import rules
from sira.cases.models import PERSON_FIELDS, Case, Person, RouteStop
from sira.core.vocab import choices, terms
from sira.geo.models import Cercle, Region

E164 = re.compile(r"^\+?[1-9]\d{1,14}$")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {
            "birth_date": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
            "disability_details": forms.Textarea(attrs={"rows": 2}),
            "citizenships": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["first_name"].help_text = gettext_lazy("An alias is accepted when the name is not known.")

    def clean_phone(self):
        phone = re.sub(r"[\s.-]", "", self.cleaned_data.get("phone") or "")
        if phone and not E164.match(phone):
            raise forms.ValidationError(_("Enter the phone number in international form, e.g. +22370000000."))
        return phone


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = [
            "identification_date",
            "identification_context",
            "identification_region",
            "identification_cercle",
            "trafficking_status",
            "status_decider",
            "narrative",
        ]
        widgets = {"identification_date": DateInput(), "narrative": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        region, cercle = data.get("identification_region"), data.get("identification_cercle")
        if cercle and region and cercle.region_id != region.pk:
            self.add_error("identification_cercle", _("This cercle is not in the chosen region."))
        return data


class CaseEditForm(CaseForm):
    class Meta(CaseForm.Meta):
        fields = [*CaseForm.Meta.fields, "case_status", "closure_reason"]

    def clean(self):
        data = super().clean()
        if data.get("case_status") in ("Closed", "ClosedReferred") and not data.get("closure_reason"):
            self.add_error("closure_reason", _("Give the reason for closing the case."))
        return data


class ExploitationForm(forms.Form):
    exploitation_forms = forms.MultipleChoiceField(
        label=gettext_lazy("Forms of exploitation"),
        choices=lambda: choices("exploitation_form"),
        widget=forms.CheckboxSelectMultiple,
    )
    industry = forms.ChoiceField(
        label=gettext_lazy("Labour industry (ISIC)"),
        choices=lambda: [("", "—"), *choices("industry")],
        required=False,
    )
    subsector = forms.ChoiceField(
        label=gettext_lazy("Sub-sector"),
        choices=lambda: [("", "—"), *choices("industry_subsector")],
        required=False,
    )
    means_of_control = forms.MultipleChoiceField(
        label=gettext_lazy("Means of control"),
        choices=lambda: choices("means_of_control"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    recruitment_methods = forms.MultipleChoiceField(
        label=gettext_lazy("Recruitment methods"),
        choices=lambda: choices("recruitment_method"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    recruiter_relationship = forms.ChoiceField(
        label=gettext_lazy("Relationship to recruiter"),
        choices=lambda: [("", "—"), *choices("recruiter_relationship")],
        required=False,
    )
    age_at_recruitment = forms.IntegerField(
        label=gettext_lazy("Age when recruited"), min_value=0, required=False
    )
    start_date = forms.DateField(
        label=gettext_lazy("Start of exploitation"), widget=DateInput(), required=False
    )
    end_date = forms.DateField(label=gettext_lazy("End of exploitation"), widget=DateInput(), required=False)

    def clean(self):
        data = super().clean()
        subsector = data.get("subsector")
        if subsector:
            parent = terms("industry_subsector")[subsector].htcds_value
            if data.get("industry") and data["industry"] != parent:
                self.add_error("subsector", _("This sub-sector does not belong to the chosen industry."))
            data["industry"] = parent
        for field, message in rules.check_exploitation_dates(
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            age_at_recruitment=data.get("age_at_recruitment"),
        ).items():
            self.add_error(field, message)
        return data


class RouteStopForm(forms.ModelForm):
    class Meta:
        model = RouteStop
        fields = ["kind", "country", "region", "cercle", "locality", "date"]
        widgets = {"date": DateInput()}

    def clean(self):
        data = super().clean()
        if "country" in data:
            for field, message in rules.check_route_stop(
                country=data["country"], region=data.get("region"), cercle=data.get("cercle")
            ).items():
                self.add_error(field, message)
        return data


RouteFormSet = forms.modelformset_factory(RouteStop, form=RouteStopForm, extra=3, max_num=12)


class ConsentForm(forms.Form):
    YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]
    Registration = forms.ChoiceField(
        label=gettext_lazy("Consents to registration in Sira"), choices=YES_NO, widget=forms.RadioSelect
    )
    Sharing = forms.BooleanField(
        label=gettext_lazy("Consents to sharing with named organisations"), required=False
    )
    share_with = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Organisations it may be shared with"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    Statistics = forms.BooleanField(
        label=gettext_lazy("Consents to anonymised statistics and research"), required=False
    )
    Contact = forms.BooleanField(
        label=gettext_lazy("Consents to being contacted for follow-up"), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("share_with") and not data.get("Sharing"):
            self.add_error("share_with", _("Organisations can only be named when sharing is consented to."))
        return data

    def as_service_input(self) -> dict:
        data = self.cleaned_data
        return {
            "Registration": {"given": data["Registration"] == "yes"},
            "Sharing": {"given": data["Sharing"], "organisations": list(data.get("share_with") or [])},
            "Statistics": {"given": data["Statistics"]},
            "Contact": {"given": data["Contact"]},
        }


class CaseRegistration:
    """The guided form's five steps on one page (one round trip on a slow network, and no identity
    data parked in a session between steps), validated together for the rules that span steps."""

    def __init__(self, data=None, initial=None):
        initial = initial or {}
        self.person = PersonForm(data, prefix="person", initial=initial.get("person"))
        self.case = CaseForm(data, prefix="case", initial=initial.get("case"))
        self.exploitation = ExploitationForm(data, prefix="exp", initial=initial.get("exploitation"))
        self.route = RouteFormSet(
            data, prefix="route", queryset=RouteStop.objects.none(), initial=initial.get("route", [])
        )
        self.consent = ConsentForm(data, prefix="consent")
        self.case.fields["identification_region"].queryset = Region.objects.all()
        self.case.fields["identification_cercle"].queryset = Cercle.objects.select_related("region")

    @property
    def steps(self):
        return [self.person, self.case, self.exploitation, self.route, self.consent]

    def is_valid(self) -> bool:
        valid = all([step.is_valid() for step in self.steps])
        if self.person.is_valid() and self.case.is_valid():
            errors = rules.check_person_dates(
                birth_date=self.person.cleaned_data.get("birth_date"),
                estimated_age=self.person.cleaned_data.get("estimated_age"),
                identification_date=self.case.cleaned_data.get("identification_date"),
            )
            for field, message in errors.items():
                target = self.case if field == "identification_date" else self.person
                target.add_error(field, message)
                valid = False
        return valid

    def service_input(self) -> dict:
        exploitation = {k: v for k, v in self.exploitation.cleaned_data.items() if v not in ("", None)}
        exploitation["forms"] = exploitation.pop("exploitation_forms")
        route = [
            {k: v for k, v in form.cleaned_data.items() if k not in ("id", "DELETE")}
            for form in self.route.forms
            if form.cleaned_data and form.has_changed()
        ]
        return {
            "person": self.person.cleaned_data,
            "case": self.case.cleaned_data,
            "exploitation": exploitation,
            "route": route,
            "consents": self.consent.as_service_input(),
        }
