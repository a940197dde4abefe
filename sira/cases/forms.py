"""Web forms translate input into service arguments and show the services' errors. The rules
themselves live in rules.py and are enforced by services.py; forms only parse values (a date, a
number) and put each rule's message beside its field."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sira.accounts.models import Organisation
from sira.cases import services
from sira.cases.models import PERSON_FIELDS, AccessFlag, Case, Person, RouteStop
from sira.core.vocab import choices, terms
from sira.geo.models import Cercle, Region

E164 = re.compile(r"^\+?[1-9]\d{1,14}$")
# What a worker fills in first; the rest can be completed later (shown folded on the form).
PERSON_ESSENTIALS = ["first_name", "last_name", "gender", "birth_date", "estimated_age", "citizenships"]
CASE_ESSENTIALS = ["identification_date", "identification_context", "identification_region", "narrative"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class NumberInput(forms.TextInput):
    """A text box with a numeric keypad: a browser's number box silently drops letters, so the
    server could never say "this is not a number"."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})


class CercleSelect(forms.Select):
    """Each cercle option carries its region, so the page can offer only the chosen region's cercles
    (static/js/sira-forms.js); the server checks it anyway."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-region"] = instance.region_id
        return option


def numeric(form):
    for field in form.fields.values():
        if isinstance(field, forms.IntegerField):
            field.widget = NumberInput()
            field.error_messages["invalid"] = _("Enter a number (digits only).")


def cercle_choices(field):
    field.queryset = Cercle.objects.order_by("region_id", "name_fr")


class ServiceErrorsMixin:
    """Put a service's dotted error keys ('person.birth_date') on this form's fields, and split the
    fields into what a worker fills first and what can wait (shown folded)."""

    essentials: list[str] = []

    def essential_fields(self):
        names = self.essentials or list(self.fields)
        return [self[name] for name in names if name in self.fields]

    def more_fields(self):
        names = self.essentials or list(self.fields)
        return [f for f in self.visible_fields() if f.name not in names]

    def more_has_errors(self) -> bool:
        return any(f.errors for f in self.more_fields())

    def add_service_error(self, field: str, message: str) -> None:
        if field in self.fields and field not in self.errors:
            self.add_error(field, message)
        elif field not in self.fields:
            self.add_error(None, message)


def _as_data(value) -> list[str]:
    """A stored value as a browser would post it (for a field refreshed after a conflict)."""
    if value is None:
        return [""]
    values = value if isinstance(value, list | tuple) else [value]
    return [str(getattr(v, "code", v)) for v in values]


class VersionedMixin:
    """An edit form that carries the version of the record it was opened on (a hidden field) and each
    field's value as the page showed it (Django's hidden initial), so the page sends the service only
    what the worker changed and the version they saw. The service refuses a stale version
    (services.EditConflict); `show_conflict` then marks the fields both changed, refreshes the
    others to the saved values, and moves the version on so the worker can check and save again."""

    def track_version(self, version: int) -> None:
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False, initial=version)
        for name, field in self.fields.items():
            if name != "version":
                field.show_hidden_initial = True

    def expected_version(self):
        return (getattr(self, "cleaned_data", None) or {}).get("version")

    def changed_input(self, data: dict) -> dict:
        """Of the service input `data`, only what the worker changed on the page."""
        changed = set(self.changed_data) - {"version"}
        return {k: v for k, v in data.items() if k in changed}

    def show_conflict(self, conflict, instance, *, part: str = "") -> None:
        names = set()
        for stored in conflict.fields:
            head, _dot, name = stored.rpartition(".")
            if head == part:
                names.add(name.removesuffix("_id"))
        data = self.data.copy()
        touched = set(self.changed_data)
        for name in sorted(names & set(self.fields)):
            if name in touched:
                self.add_error(name, _("Someone else changed this after you opened the page: check it."))
            else:
                value = self.fields[name].prepare_value(getattr(instance, name, None))
                for key in (self.add_prefix(name), self.add_initial_prefix(name)):
                    data.setlist(key, _as_data(value))
        data[self.add_prefix("version")] = str(instance.version)
        self.data = data


class PersonForm(VersionedMixin, ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {
            "birth_date": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
            "disability_details": forms.Textarea(attrs={"rows": 2}),
            "citizenships": forms.SelectMultiple(attrs={"size": 6, "data-filter": "1"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["first_name"].help_text = gettext_lazy("An alias is accepted when the name is not known.")
        self.fields["citizenships"].help_text = gettext_lazy(
            "Mali and its neighbours come first; type to find another country."
        )
        self.fields["citizenships"].widget.attrs["data-filter-placeholder"] = _("Type a country…")
        numeric(self)

    def clean_phone(self):
        phone = re.sub(r"[\s.-]", "", self.cleaned_data.get("phone") or "")
        if phone and not E164.match(phone):
            raise forms.ValidationError(_("Enter the phone number in international form, e.g. +22370000000."))
        return phone

    essentials = PERSON_ESSENTIALS


class CaseForm(ServiceErrorsMixin, forms.ModelForm):
    essentials = CASE_ESSENTIALS

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
        widgets = {
            "identification_date": DateInput(),
            "identification_cercle": CercleSelect(),
            "narrative": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"narrative": gettext_lazy("What happened, in a few sentences.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identification_region"].queryset = Region.objects.all()
        self.fields["identification_region"].widget.attrs["data-region-select"] = "1"
        cercle_choices(self.fields["identification_cercle"])
        if not self.is_bound and not self.initial.get("identification_date"):
            self.initial["identification_date"] = timezone.localdate()


class CaseEditForm(VersionedMixin, CaseForm):
    essentials = [*CASE_ESSENTIALS, "case_status", "closure_reason"]

    class Meta(CaseForm.Meta):
        fields = [*CaseForm.Meta.fields, "case_status", "closure_reason"]


class ExploitationForm(ServiceErrorsMixin, forms.Form):
    # Not "required" here: the rule (at least one form) is the service's, with its own message.
    exploitation_forms = forms.MultipleChoiceField(
        label=gettext_lazy("Forms of exploitation"),
        choices=lambda: choices("exploitation_form"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
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

    essentials = ["exploitation_forms"]
    key_map = {"forms": "exploitation_forms", "form": "exploitation_forms"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        numeric(self)
        if "exploitation_forms" in self.fields:
            self.fields["exploitation_forms"].show_required = True

    def clean(self):
        data = super().clean()
        subsector = data.get("subsector")
        if subsector:
            parent = terms("industry_subsector")[subsector].htcds_value
            if data.get("industry") and data["industry"] != parent:
                self.add_error("subsector", _("This sub-sector does not belong to the chosen industry."))
            data["industry"] = parent
        return data

    def add_service_error(self, field, message):
        super().add_service_error(self.key_map.get(field, field), message)

    def details(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if k != "exploitation_forms" and v not in ("", None, [])}


class SingleExploitationForm(VersionedMixin, ExploitationForm):
    """One form of exploitation with its details, added or edited after registration."""

    exploitation_forms = None
    form = forms.ChoiceField(
        label=gettext_lazy("Form of exploitation"), choices=lambda: choices("exploitation_form")
    )
    key_map = {"forms": "form"}
    essentials = ["form"]

    field_order = ["form"]

    def service_input(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        for key in ("industry", "subsector", "recruiter_relationship"):
            data[key] = data.get(key) or ""
        return data

    def changed_input(self, data: dict) -> dict:
        changed = super().changed_input(data)
        if "subsector" in changed and "industry" in data:  # the industry follows its sub-sector
            changed["industry"] = data["industry"]
        return changed


class RouteStopForm(VersionedMixin, ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = RouteStop
        fields = ["kind", "country", "region", "cercle", "locality", "date"]
        widgets = {"date": DateInput(), "cercle": CercleSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.attrs["data-region-select"] = "1"
        cercle_choices(self.fields["cercle"])

    def has_changed(self):
        """A row counts when it holds a value, typed or pre-filled (a pre-filled origin left as it is
        was once dropped as "unchanged")."""
        if not self.is_bound:
            return bool(self.initial)
        return any(self.data.get(self.add_prefix(name)) for name in self.fields)

    def service_input(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("id", "DELETE", "version")}


RouteFormSet = forms.modelformset_factory(RouteStop, form=RouteStopForm, extra=3, max_num=12)

TRI = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No")), ("", gettext_lazy("Not asked"))]


def consent_question(label, choices=TRI):
    """One purpose's question. Never "required" here: whether registration consent was recorded is
    the service's rule, with its own message."""
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, required=False)


def legal_basis_fields():
    """A refused registration's legal basis and its written justification (rules.check_consents)."""
    return (
        forms.ChoiceField(
            label=gettext_lazy("Legal basis, if the person refuses registration"),
            choices=lambda: [("", "—"), *choices("legal_basis")],
            required=False,
            help_text=gettext_lazy("Only when registration is refused: the case is then kept on this basis."),
        ),
        forms.CharField(
            label=gettext_lazy("Why this legal basis applies"),
            widget=forms.Textarea(attrs={"rows": 2}),
            required=False,
        ),
    )


def sharing_organisations():
    return forms.ModelMultipleChoiceField(
        label=gettext_lazy("Organisations it may be shared with"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ConsentForm(ServiceErrorsMixin, forms.Form):
    """Each purpose is asked separately: yes, no, or not asked (a question never asked is not a
    refusal)."""

    Registration = consent_question(gettext_lazy("Consents to registration in Sira"), TRI[:2])
    legal_basis, justification = legal_basis_fields()
    Sharing = consent_question(gettext_lazy("Consents to sharing with named organisations"))
    share_with = sharing_organisations()
    Statistics = consent_question(gettext_lazy("Consents to anonymised statistics and research"))
    Contact = consent_question(gettext_lazy("Consents to being contacted for follow-up"))
    essentials = [
        "Registration",
        "legal_basis",
        "justification",
        "Sharing",
        "share_with",
        "Statistics",
        "Contact",
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).update({"Sharing": "", "Statistics": "", "Contact": ""})
        super().__init__(*args, **kwargs)
        self.fields["Registration"].show_required = True

    def add_service_error(self, field, message):
        if field == "Sharing" and "share_with" in self.fields:
            field = "share_with" if self.cleaned_data.get("share_with") else "Sharing"
        super().add_service_error(field, message)

    def as_service_input(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        out = {}
        for purpose in ("Registration", "Sharing", "Statistics", "Contact"):
            if data.get(purpose) in ("yes", "no"):
                out[purpose] = {"given": data[purpose] == "yes"}
        if "Registration" in out and data.get("legal_basis"):
            out["Registration"] |= {
                "legal_basis": data["legal_basis"],
                "justification": data.get("justification"),
            }
        if data.get("share_with"):
            out.setdefault("Sharing", {"given": False})["organisations"] = list(data["share_with"])
        return out


class ConsentRecordForm(ServiceErrorsMixin, forms.Form):
    given = forms.ChoiceField(label=gettext_lazy("Answer"), choices=TRI[:2], widget=forms.RadioSelect)
    organisations = sharing_organisations()
    legal_basis, justification = legal_basis_fields()
    recorded_on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())

    def __init__(self, *args, purpose: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("recorded_on", timezone.localdate())
        if purpose != "Sharing":
            del self.fields["organisations"]
        if purpose != "Registration":
            del self.fields["legal_basis"], self.fields["justification"]


class WithdrawConsentForm(VersionedMixin, ServiceErrorsMixin, forms.Form):
    withdrawn_on = forms.DateField(label=gettext_lazy("Withdrawn on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("withdrawn_on", timezone.localdate())


def confirmed_warnings(data) -> list[str]:
    return data.getlist("confirm_warning") if data is not None else []


def apply_service_errors(error: ValidationError, targets: dict) -> None:
    """Route a service's dotted keys to the forms they concern: `targets` maps a key's first part
    ('person', 'case', 'exploitation', 'consents', 'route.3'…) to a form."""
    for key, messages in error.message_dict.items():
        head, _, field = key.rpartition(".")
        form = targets.get(head) or targets.get(key.split(".")[0])
        if form is None:
            form = next(iter(targets.values()))
            field = "__all__"
        for message in messages:
            form.add_service_error(field if field != "__all__" else None, message)


class EmergencyAccessForm(ServiceErrorsMixin, forms.Form):
    """Break-glass: a case number and the emergency, in writing (services.request_emergency_access)."""

    case_number = forms.CharField(label=gettext_lazy("Case number"), max_length=40)
    reason = forms.CharField(
        label=gettext_lazy("The emergency"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Why you need this case now. Do not write the person's name: the committee reads it."
        ),
    )


class AccessReviewForm(ServiceErrorsMixin, forms.Form):
    verdict = forms.ChoiceField(
        label=gettext_lazy("Review"),
        choices=AccessFlag.Verdict.choices,
        widget=forms.RadioSelect,
    )
    review_note = forms.CharField(
        label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CaseRegistration:
    """The guided form on one page (one round trip on a slow network, and no identity data parked
    in a session between steps). Essentials first; everything else can wait for later."""

    def __init__(self, data=None, initial=None):
        initial = initial or {}
        self.data = data
        self.person = PersonForm(data, prefix="person", initial=initial.get("person"))
        self.case = CaseForm(data, prefix="case", initial=initial.get("case"))
        self.exploitation = ExploitationForm(data, prefix="exp", initial=initial.get("exploitation"))
        self.route = RouteFormSet(
            data, prefix="route", queryset=RouteStop.objects.none(), initial=initial.get("route", [])
        )
        self.route.extra = max(3 - len(initial.get("route", [])), 1)
        self.consent = ConsentForm(data, prefix="consent")
        self.warnings = []
        self._route_rows = []

    @property
    def steps(self):
        return [self.person, self.case, self.exploitation, self.route, self.consent]

    def forms(self):
        return [self.person, self.case, self.exploitation, *self.route.forms, self.consent]

    def targets(self) -> dict:
        targets = {
            "person": self.person,
            "case": self.case,
            "exploitation": self.exploitation,
            "consents": self.consent,
        }
        for number, form in enumerate(self._route_rows, start=1):
            targets[f"route.{number}"] = form
        return targets

    def is_valid(self) -> bool:
        """Parse every step, then check every rule on what parsed, so all errors come at once."""
        valid = all([step.is_valid() for step in self.steps])
        errors = services.registration_errors(**self.service_input())
        if errors:
            apply_service_errors(ValidationError({k: [v] for k, v in errors.items()}), self.targets())
            valid = False
        return valid

    def service_input(self) -> dict:
        exploitation = self.exploitation.details()
        exploitation["forms"] = getattr(self.exploitation, "cleaned_data", {}).get("exploitation_forms", [])
        self._route_rows = [
            form for form in self.route.forms if form.has_changed() and getattr(form, "cleaned_data", None)
        ]
        return {
            "person": {k: v for k, v in getattr(self.person, "cleaned_data", {}).items()},
            "case": dict(getattr(self.case, "cleaned_data", {})),
            "exploitation": exploitation,
            "route": [form.service_input() for form in self._route_rows],
            "consents": self.consent.as_service_input(),
        }

    def confirmed(self) -> list[str]:
        return confirmed_warnings(self.data)


class ErasureForm(forms.Form):
    """The erasure of a person's identity: its ground, and the case number typed again to confirm."""

    ground = forms.ChoiceField(label=gettext_lazy("Ground"))
    confirm = forms.CharField(
        label=gettext_lazy("Type the case number to confirm"),
        help_text=gettext_lazy(
            "Names, date of birth, contacts, identity number, parents' names, disability details and the "
            "narrative are erased for good; the anonymous facts stay for statistics."
        ),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["ground"].choices = list(services.ERASURE_GROUNDS.items())

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip().upper()
        if value != self.case.case_number:
            raise forms.ValidationError(_("This is not the number of this case."))
        return value


# ---------------------------------------------------------------------------------------------------
# Follow-up and sharing (services.add_note, record_assistance, add_goal, close_case, grant_access).


class NoteForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept encrypted; every reading of the case is recorded."),
    )


class OrganisationChoiceField(forms.ModelChoiceField):
    """Organisations by their name, in name order: an acronym alone (KANUYA, CAOE) means nothing to a
    worker in another region."""

    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", "—")
        super().__init__(queryset=Organisation.objects.order_by("name"), **kwargs)

    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.acronym})" if obj.acronym and obj.acronym != obj.name else obj.name


class AssistanceForm(ServiceErrorsMixin, forms.Form):
    service = forms.ChoiceField(label=gettext_lazy("Service"), choices=())
    provider = OrganisationChoiceField(label=gettext_lazy("Given by"))
    given_on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    note = forms.CharField(
        label=gettext_lazy("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "—"), *choices("service_type")]
        self.initial.setdefault("given_on", timezone.localdate())


class GoalForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(label=gettext_lazy("Goal"), widget=forms.Textarea(attrs={"rows": 2}))
    review_on = forms.DateField(label=gettext_lazy("Review date"), widget=DateInput())


class ClosureForm(ServiceErrorsMixin, forms.Form):
    closure_reason = forms.ChoiceField(label=gettext_lazy("Reason for closing"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closure_reason"].choices = [("", "—"), *choices("closure_reason")]


class ShareForm(ServiceErrorsMixin, forms.Form):
    organisation = OrganisationChoiceField(label=gettext_lazy("Organisation"), required=False)
    username = forms.CharField(
        label=gettext_lazy("Or one person (their username)"), required=False, max_length=150
    )
    reason = forms.CharField(label=gettext_lazy("Why they need it"), max_length=200)
    urgent_reason = forms.CharField(
        label=gettext_lazy("Urgent reason, if the person has not consented"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Reviewed by the committee. Do not write the person's name."),
    )

    def clean(self):
        data = super().clean()
        name = (data.get("username") or "").strip()
        data["user"] = None
        if name:
            from sira.accounts.models import User

            data["user"] = User.objects.filter(username=name, is_active=True).first()
            if data["user"] is None:
                self.add_error("username", _("No active user has this username."))
        if data.get("organisation") and name:
            self.add_error("username", _("Share with an organisation or with one person, not both."))
        return data
