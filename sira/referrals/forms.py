"""Web input → service arguments for referrals and the directory; the services' errors beside each
field (rules live in rules.py, checked in services.py)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sira.accounts.models import User
from sira.cases.forms import DateInput, NumberInput, ServiceErrorsMixin
from sira.geo.models import Region
from sira.referrals import catalogue, rules
from sira.referrals.models import FollowUpTask, Referral

ANY = [("", "—")]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or place"), required=False, max_length=100)
    service = forms.ChoiceField(label=gettext_lazy("Service"), required=False, choices=())
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False, choices=())
    gender = forms.ChoiceField(
        label=gettext_lazy("For"),
        required=False,
        choices=[
            ("", "—"),
            ("Feminine", gettext_lazy("women and girls")),
            ("Masculine", gettext_lazy("men and boys")),
        ],
    )
    age = forms.IntegerField(
        label=gettext_lazy("Age"), required=False, min_value=0, max_value=120, widget=NumberInput()
    )
    free = forms.BooleanField(label=gettext_lazy("With free places only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = ANY + catalogue.service_choices()
        # A plain choice, not a model lookup: unknown text (a NUL byte too) is an invalid choice.
        self.fields["region"].choices = ANY + [(r.pk, str(r)) for r in Region.objects.all()]


class ServiceChoiceForm(forms.Form):
    service = forms.ChoiceField(label=gettext_lazy("Service needed"), required=False, choices=())
    pathway = forms.ChoiceField(label=gettext_lazy("Special pathway (optional)"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = ANY + catalogue.service_choices()
        self.fields["pathway"].choices = ANY + catalogue.pathway_choices()

    def clean(self):
        data = super().clean()
        if not data.get("service") and not data.get("pathway"):
            self.add_error("service", _("Choose the service needed, or a special pathway."))
        return data


class SendForm(ServiceErrorsMixin, forms.Form):
    shared_fields = forms.MultipleChoiceField(
        label=gettext_lazy("Fields to share (only what the provider needs)"),
        choices=list(rules.PACKET_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    urgent = forms.BooleanField(label=gettext_lazy("Urgent"), required=False)
    urgent_reason = forms.CharField(
        label=gettext_lazy("Urgent reason, if the person has not consented to this organisation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("The committee reviews every referral sent without consent. No name here."),
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the provider"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Shown to the provider once it accepts."),
    )


class AcceptForm(ServiceErrorsMixin, forms.Form):
    case_worker = forms.ModelChoiceField(label=gettext_lazy("Case worker"), queryset=User.objects.none())

    def __init__(self, *args, organisation_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_worker"].queryset = User.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).order_by("username")


class DeclineForm(ServiceErrorsMixin, forms.Form):
    decline_reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), choices=ANY + list(Referral.DeclineReason.choices)
    )
    decline_note = forms.CharField(
        label=gettext_lazy("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompleteForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What was given (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TaskForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Follow-up"), choices=FollowUpTask.Kind.choices)
    due_on = forms.DateField(label=gettext_lazy("Due on"), widget=DateInput())


class CapacityForm(ServiceErrorsMixin, forms.Form):
    capacity_total = forms.IntegerField(
        label=gettext_lazy("Places in total"), min_value=0, widget=NumberInput()
    )
    capacity_in_use = forms.IntegerField(
        label=gettext_lazy("Places in use"), min_value=0, widget=NumberInput()
    )
