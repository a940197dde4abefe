import datetime as dt

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sira.cases.forms import DateInput
from sira.cases.rules import age_error, is_child
from sira.core.vocab import choices
from sira.screening.models import PROFILE_FIELDS, Screening

ANSWER_CHOICES = [
    ("yes", gettext_lazy("Yes")),
    ("no", gettext_lazy("No")),
    ("unknown", gettext_lazy("Unknown")),
]


class ProfileForm(forms.ModelForm):
    """Step 1: who is screened, without identity: sex, age, nationality, route, suspected forms."""

    suspected_forms = forms.MultipleChoiceField(
        label=gettext_lazy("Suspected forms of exploitation"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "Only the questions for these forms are asked; leave empty for general questions."
        ),
    )

    class Meta:
        model = Screening
        fields = list(PROFILE_FIELDS)
        widgets = {"screened_on": DateInput()}

    def __init__(self, *args, catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suspected_forms"].choices = [(f["id"], catalogue.text(f)) for f in catalogue.forms]
        self.fields["gender"].required = True
        self.fields["region"].required = True
        self.fields["age"].help_text = gettext_lazy(
            "Leave empty if unknown: the person is then presumed a child."
        )
        self.initial.setdefault("screened_on", dt.date.today())

    def clean(self):
        data = super().clean()
        for name, message in profile_problems(data).items():
            self.add_error(name, message)
        return data


def profile_problems(data: dict) -> dict[str, str]:
    """The profile checks shared by the page and the API: field name → message in the reader's language."""
    problems = {}
    if message := age_error(data.get("age")):
        problems["age"] = message
    if data.get("screened_on") and data["screened_on"] > dt.date.today():
        problems["screened_on"] = _("The screening date cannot be in the future.")
    cercle, region = data.get("cercle"), data.get("region")
    if cercle and region and cercle.region_id != region.pk:
        problems["cercle"] = _("This cercle is not in the chosen region.")
    if data.get("departure_region") and str(data.get("departure_country") or "") != "ML":
        problems["departure_region"] = _("A region of Mali can only be given for a place in Mali.")
    return problems


class AnswersForm(forms.Form):
    """Step 2: urgent flags first, then the catalogue's questions for this person's age and suspected forms.
    An unanswered question is "not asked"; "unknown" is a real answer and never counts as no."""

    def __init__(self, *args, screening: Screening, **kwargs):
        super().__init__(*args, **kwargs)
        catalogue = screening.catalogue.catalogue
        child = is_child(screening.age)
        self.groups: dict[str, list] = {"urgent": [], "contextual": [], "general": [], "specific": []}
        for flag in catalogue.urgent_flags:
            name = f"urgent__{flag['id']}"
            self.fields[name] = forms.ChoiceField(
                label=catalogue.text(flag["question"]),
                choices=ANSWER_CHOICES[:2],
                widget=forms.RadioSelect,
                initial="yes" if flag["id"] in screening.urgent else None,
            )
            self.groups["urgent"].append(name)
        for indicator in catalogue.questions(child=child, forms=screening.suspected_forms):
            name = f"q__{indicator.id}"
            self.fields[name] = forms.ChoiceField(
                label=indicator.text("question"),
                help_text=indicator.text("guidance"),
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect,
                required=False,
                initial=screening.answers.get(indicator.id),
            )
            self.groups[indicator.category].append(name)

    def grouped(self):
        return [(group, [self[name] for name in names]) for group, names in self.groups.items() if names]

    def answers(self) -> dict[str, str]:
        return {k[3:]: v for k, v in self.cleaned_data.items() if k.startswith("q__") and v}

    def urgent(self) -> list[str]:
        return [k[8:] for k, v in self.cleaned_data.items() if k.startswith("urgent__") and v == "yes"]


class DeterminationForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Your determination"), choices=lambda: [("", "—"), *choices("trafficking_status")]
    )
    justification = forms.CharField(
        label=gettext_lazy("Justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Why you reach this determination; the indicators alone never decide."),
    )


class AttachForm(forms.Form):
    case_number = forms.CharField(label=gettext_lazy("Case number"), max_length=40)

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = cases

    def clean_case_number(self):
        number = self.cleaned_data["case_number"].strip()
        case = self.cases.filter(case_number__iexact=number).first()
        if case is None:
            raise forms.ValidationError(_("No case with this number that you can change."))
        return case


UNKNOWN_CHOICES = [
    ("unknown", gettext_lazy("Unknown")),
    ("declined", gettext_lazy("Prefers not to say")),
]


class BankAnswersForm(forms.Form):
    """Step 2 for question-bank catalogues: every question that can be asked of this person, in
    interview order; follow-ups carry the question and answers that open them (shown by script,
    ignored by the engine unless opened). Blank is unknown."""

    def __init__(self, *args, screening: Screening, **kwargs):
        super().__init__(*args, **kwargs)
        from sira.screening.rules import is_child

        self.bank = screening.catalogue.catalogue
        child = is_child(self.bank, screening.age)
        self.questions = self.bank.questions_for(child=child, forms=screening.suspected_forms)
        for question in self.questions:
            initial = screening.answers.get(question.id)
            if question.type == "multiple":
                field = forms.MultipleChoiceField(
                    choices=[(o.id, self.bank.text(o.text)) for o in question.options],
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                choices = (
                    [("yes", _("Yes")), ("no", _("No"))]
                    if question.type == "yesno"
                    else [(o.id, self.bank.text(o.text)) for o in question.options]
                )
                field = forms.ChoiceField(choices=choices + UNKNOWN_CHOICES, widget=forms.RadioSelect)
            field.required = False
            field.label = question.label()
            field.initial = initial
            field.question = question
            self.fields[f"q__{question.id}"] = field

    def rows(self):
        for question in self.questions:
            bound = self[f"q__{question.id}"]
            yield question, bound

    def answers(self) -> dict:
        return {k[3:]: v for k, v in self.cleaned_data.items() if k.startswith("q__") and v not in ("", [])}
