"""The National Action Plan as data (plans → axes → objectives → activities, indicators), activity
reports, committee meetings and their decisions, the directory of actors and projects, and labour
inspections. Catalogue codes (axes, kinds, audiences, topics, channels, sectors) are checked in
sira/coordination/rules.py against data/catalogues.yaml; the database keeps the codes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sira.coordination import catalogue


class Actor(models.Model):
    """Who acts against trafficking: a ministry service, an NGO, a UN agency, a donor. Linked to the
    Sira organisation of the same body when it has users (its workers then report on its activities)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20)
    organisation = models.OneToOneField(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actor",
        verbose_name=_("Sira organisation"),
    )
    region = models.ForeignKey(
        "geo.Region", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    committee_member = models.BooleanField(_("member of the National Committee"), default=False)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")

    def __str__(self) -> str:
        return self.acronym or self.name

    def kind_label(self) -> str:
        return catalogue.label("actor_kinds", self.kind)


class Plan(models.Model):
    """A national or regional action plan (the national plan 2018–2022, its successor, regional plans)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=300)
    region = models.ForeignKey(
        "geo.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("region (regional plan)"),
    )
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    successor_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("follows")
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)

    class Meta:
        ordering = ["-start_year", "code"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return f"{self.title} ({self.start_year}–{self.end_year})"


class Objective(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    axis = models.CharField(_("axis"), max_length=20)
    code = models.CharField(_("code"), max_length=30)
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        ordering = ["plan", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="objective_code_in_plan")]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def axis_label(self) -> str:
        return catalogue.label("axes", self.axis)


class Activity(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="activities")
    code = models.CharField(_("code"), max_length=30)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, default="other")
    responsible = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_for",
        verbose_name=_("responsible"),
    )
    partners = models.ManyToManyField(
        Actor, blank=True, related_name="partner_in", verbose_name=_("partners")
    )
    region = models.ForeignKey(
        "geo.Region", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    cercle = models.ForeignKey(
        "geo.Cercle", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("cercle")
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    budget = models.PositiveBigIntegerField(_("budget (CFA francs)"), default=0)
    funding_source = models.CharField(_("funding source"), max_length=20, blank=True)
    funder = models.CharField(_("funder"), max_length=200, blank=True)

    class Meta:
        ordering = ["objective__plan", "code"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["planned_start", "planned_end"], name="activity_dates")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Indicator(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=30)
    title = models.CharField(_("title"), max_length=300)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    # {"2019": "10", "2020": "20"}: the target of each year of the plan (decimal text).
    targets = models.JSONField(_("targets per year"), default=dict)

    class Meta:
        ordering = ["objective", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ActivityReport(models.Model):
    """One organisation's report of progress on an activity, as of a date. Amount spent is the
    activity's spending to date (cumulative); people reached are those of this report's period."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reports")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    as_of = models.DateField(_("progress as of"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    amount_spent = models.PositiveBigIntegerField(_("amount spent to date (CFA francs)"), default=0)
    girls = models.PositiveIntegerField(_("girls (under 18)"), default=0)
    boys = models.PositiveIntegerField(_("boys (under 18)"), default=0)
    women = models.PositiveIntegerField(_("women"), default=0)
    men = models.PositiveIntegerField(_("men"), default=0)
    evidence = models.TextField(_("evidence note"), blank=True)
    # Trainings
    audience_types = models.JSONField(_("audience"), default=list, blank=True)
    participants_female = models.PositiveIntegerField(_("female participants"), default=0)
    participants_male = models.PositiveIntegerField(_("male participants"), default=0)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    # Awareness campaigns
    channels = models.JSONField(_("channels"), default=list, blank=True)
    radio_languages = models.JSONField(_("radio languages"), default=list, blank=True)

    class Meta:
        ordering = ["activity", "-as_of", "-id"]
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        indexes = [models.Index(fields=["activity", "-as_of"], name="report_latest")]

    def __str__(self) -> str:
        return f"{self.activity.code} {self.as_of:%Y-%m-%d}"

    @property
    def reached(self) -> int:
        return self.girls + self.boys + self.women + self.men


class Meeting(models.Model):
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    minutes = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attendees = models.ManyToManyField(
        Actor, through="Attendance", related_name="meetings", verbose_name=_("attendance")
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="attendance")
    present = models.BooleanField(_("present"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.member} {self.present}"


class Decision(models.Model):
    """A decision of a meeting, followed up until it is closed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    owner = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("owner")
    )
    due = models.DateField(_("due date"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        ordering = ["closed_on", "due", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:60]


class Project(models.Model):
    """A project against trafficking: who runs it, what forms of exploitation it addresses, where and when."""

    title = models.CharField(_("title"), max_length=300)
    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="projects", verbose_name=_("run by")
    )
    donor = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="funded", verbose_name=_("donor")
    )
    scope = models.TextField(_("scope"), blank=True)
    forms = models.JSONField(_("forms of exploitation addressed"), default=list, blank=True)
    axes = models.JSONField(_("axes"), default=list, blank=True)
    regions = models.ManyToManyField("geo.Region", related_name="+", verbose_name=_("regions"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    budget = models.PositiveBigIntegerField(_("budget (CFA francs)"), default=0)
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)

    class Meta:
        ordering = ["-start", "title"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.title


class Inspection(models.Model):
    """A labour inspection: figures only (no child's identity: a child referred is followed in the
    referral, linked here when one exists)."""

    date = models.DateField(_("date"))
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("inspectorate")
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    cercle = models.ForeignKey("geo.Cercle", on_delete=models.PROTECT, verbose_name=_("cercle"))
    sector = models.CharField(_("sector"), max_length=30)
    at_worksite = models.BooleanField(_("at the worksite"), default=True)
    child_labour_violations = models.PositiveIntegerField(_("child-labour violations found"), default=0)
    forced_labour_violations = models.PositiveIntegerField(_("forced-labour violations found"), default=0)
    penalties_imposed = models.PositiveIntegerField(_("penalties imposed"), default=0)
    penalties_collected = models.PositiveIntegerField(_("penalties collected"), default=0)
    children_removed = models.PositiveIntegerField(_("children removed"), default=0)
    children_referred = models.PositiveIntegerField(_("children referred"), default=0)
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("referral"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("labour inspection")
        verbose_name_plural = _("labour inspections")
        indexes = [models.Index(fields=["date"], name="inspection_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.cercle_id} {self.sector}"

    def sector_label(self) -> str:
        return catalogue.label("sectors", self.sector)
