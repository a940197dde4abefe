"""Web input → service arguments; the services' errors shown on their fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sira.accounts.models import Organisation
from sira.coordination import catalogue
from sira.coordination.models import ActivityReport, Actor
from sira.core.vocab import choices as vocab_choices
from sira.geo.models import Cercle, Region

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECKS = forms.CheckboxSelectMultiple


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# Bounds of plausibility (and of the database's integers): more people than Mali has, or more francs
# than a national budget, is a typing slip, refused with a message rather than a server error.
MAX_PEOPLE = 30_000_000
MAX_FRANCS = 10**13


def _count(label):
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_PEOPLE, required=False, initial=0)


class PlanImportForm(forms.Form):
    MAX_BYTES = 5 * 1024 * 1024  # a plan of thousands of activities is well under 1 MB

    file = forms.FileField(label=_("Plan workbook (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB: it is not a plan workbook."))
        return upload


class ReportForm(forms.Form):
    as_of = forms.DateField(label=_("Progress as of"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=ActivityReport.Status.choices)
    actual_start = forms.DateField(label=_("Actual start"), widget=DATE, required=False)
    actual_end = forms.DateField(label=_("Actual end"), widget=DATE, required=False)
    amount_spent = forms.IntegerField(
        label=_("Amount spent to date (CFA francs)"), min_value=0, max_value=MAX_FRANCS, required=False
    )
    girls = _count(_("Girls reached (under 18)"))
    boys = _count(_("Boys reached (under 18)"))
    women = _count(_("Women reached"))
    men = _count(_("Men reached"))
    audience_types = forms.MultipleChoiceField(label=_("Audience trained"), widget=CHECKS, required=False)
    participants_female = _count(_("Female participants"))
    participants_male = _count(_("Male participants"))
    topics = forms.MultipleChoiceField(label=_("Topics"), widget=CHECKS, required=False)
    channels = forms.MultipleChoiceField(label=_("Channels"), widget=CHECKS, required=False)
    radio_languages = forms.MultipleChoiceField(label=_("Radio languages"), widget=CHECKS, required=False)
    evidence = forms.CharField(
        label=_("Evidence note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    TRAINING = ("audience_types", "participants_female", "participants_male", "topics")
    AWARENESS = ("channels", "radio_languages")

    def __init__(self, *args, kind: str = "other", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience_types"].choices = catalogue.choices("audience_types")
        self.fields["topics"].choices = catalogue.choices("topics")
        self.fields["channels"].choices = catalogue.choices("channels")
        self.fields["radio_languages"].choices = catalogue.choices("radio_languages")
        drop = {"training": self.AWARENESS, "awareness": self.TRAINING}.get(
            kind, self.TRAINING + self.AWARENESS
        )
        for name in drop:
            del self.fields[name]


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    present = forms.ModelMultipleChoiceField(
        label=_("Members present"),
        queryset=Actor.objects.filter(committee_member=True),
        widget=CHECKS,
        required=False,
    )
    minutes = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Actor.objects.all())
    due = forms.DateField(label=_("Due date"), widget=DATE)


class CloseDecisionForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=500, required=False)


class ActorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    acronym = forms.CharField(label=_("Acronym"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("Kind"))
    organisation = forms.ModelChoiceField(
        label=_("Sira organisation (if it has users)"),
        queryset=Organisation.objects.filter(actor__isnull=True),
        required=False,
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, empty_label="—"
    )
    committee_member = forms.BooleanField(label=_("Member of the National Committee"), required=False)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = catalogue.choices("actor_kinds")


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    actor = forms.ModelChoiceField(label=_("Run by"), queryset=Actor.objects.all())
    donor = forms.ModelChoiceField(label=_("Donor"), queryset=Actor.objects.all(), required=False)
    scope = forms.CharField(label=_("Scope"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    exploitation_forms = forms.MultipleChoiceField(
        label=_("Forms of exploitation addressed"), widget=CHECKS, required=False
    )
    axes = forms.MultipleChoiceField(label=_("Axes"), widget=CHECKS, required=False)
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"), queryset=Region.objects.all(), widget=CHECKS, required=False
    )
    start = forms.DateField(label=_("Start"), widget=DATE)
    end = forms.DateField(label=_("End"), widget=DATE, required=False)
    budget = forms.IntegerField(
        label=_("Budget (CFA francs)"), min_value=0, max_value=MAX_FRANCS, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exploitation_forms"].choices = vocab_choices("exploitation_form")
        self.fields["axes"].choices = catalogue.choices("axes")


class InspectionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    cercle = forms.ModelChoiceField(label=_("Cercle"), queryset=Cercle.objects.all())
    sector = forms.ChoiceField(label=_("Sector"))
    at_worksite = forms.BooleanField(label=_("At the worksite"), required=False, initial=True)
    child_labour_violations = _count(_("Child-labour violations found"))
    forced_labour_violations = _count(_("Forced-labour violations found"))
    penalties_imposed = _count(_("Penalties imposed"))
    penalties_collected = _count(_("Penalties collected"))
    children_removed = _count(_("Children removed"))
    children_referred = _count(_("Children referred"))
    referral = forms.CharField(
        label=_("Referral number (if a child was referred)"), max_length=30, required=False
    )
    note = forms.CharField(
        label=_("Note (no name)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, referrals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", "—"), *catalogue.choices("sectors")]
        self.referrals = referrals

    def clean_referral(self):
        reference = self.cleaned_data["referral"].strip()
        if not reference:
            return None
        number = reference.upper().removeprefix("R-")
        referral = None
        if number.isdigit() and self.referrals is not None:
            referral = self.referrals.filter(pk=int(number)).first()
        if referral is None:
            raise ValidationError(_("No referral of yours has this number."))
        return referral

    def clean(self):
        data = super().clean()
        for name in (
            "child_labour_violations",
            "forced_labour_violations",
            "penalties_imposed",
            "penalties_collected",
            "children_removed",
            "children_referred",
        ):
            if data.get(name) is None and name in data:
                data[name] = 0
        return data


class DirectoryFilter(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, empty_label="—"
    )
    form = forms.ChoiceField(label=_("Form of exploitation"), required=False)
    axis = forms.ChoiceField(label=_("Axis"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [("", "—"), *vocab_choices("exploitation_form")]
        self.fields["axis"].choices = [("", "—"), *catalogue.choices("axes")]
