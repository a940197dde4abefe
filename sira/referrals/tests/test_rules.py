"""The pure rules, table-driven: every transition from every state for each side, deadlines, overdue,
eligibility, suggestions and the consent gate."""

import datetime as dt

import pytest

from sira.referrals import rules

UTC = dt.UTC
EXPECTED = {
    # (state, action) → next state when the right side acts; anything missing is refused.
    ("sent", "accept"): "accepted",
    ("sent", "decline"): "declined",
    ("sent", "withdraw"): "withdrawn",
    ("accepted", "start"): "in_service",
    ("accepted", "withdraw"): "withdrawn",
    ("in_service", "complete"): "completed",
    ("in_service", "withdraw"): "withdrawn",
}
WHO = {
    "accept": "receiver",
    "decline": "receiver",
    "start": "receiver",
    "complete": "receiver",
    "withdraw": "sender",
}


@pytest.mark.parametrize("state", rules.STATES)
@pytest.mark.parametrize("action", rules.ACTIONS)
@pytest.mark.parametrize("side", ["sender", "receiver", None])
def test_every_transition_from_every_state(state, action, side):
    errors = rules.check_transition(state=state, action=action, side=side)
    legal = (state, action) in EXPECTED and side == WHO[action]
    assert (errors == {}) is legal
    if legal:
        assert rules.next_state(state, action) == EXPECTED[(state, action)]
    else:
        assert errors["__all__"]  # a message saying why, never an empty refusal


def test_refusals_say_why_in_french():
    from django.utils import translation

    with translation.override("fr"):
        wrong_side = rules.check_transition(state="sent", action="accept", side="sender")["__all__"]
        wrong_state = rules.check_transition(state="completed", action="withdraw", side="sender")["__all__"]
    assert "organisation destinataire" in wrong_side
    assert "terminée" in wrong_state or "achevée" in wrong_state


def test_ended_states_allow_nothing():
    for state in rules.ENDED_STATES:
        assert rules.allowed_actions(state, "sender") == rules.allowed_actions(state, "receiver") == []


def test_deadline_urgent_in_hours_normal_in_days_pathway_its_own():
    sent = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    service = {"deadline_days": 2, "urgent_hours": 4}
    assert rules.response_deadline(sent_at=sent, urgent=False, service=service) == sent + dt.timedelta(days=2)
    assert rules.response_deadline(sent_at=sent, urgent=True, service=service) == sent + dt.timedelta(hours=4)
    pathway = {"deadline_hours": 72}
    assert rules.response_deadline(
        sent_at=sent, urgent=True, service=service, pathway=pathway
    ) == sent + dt.timedelta(hours=72)


@pytest.mark.parametrize(
    "state,minutes_after,overdue",
    [
        ("sent", -1, False),
        ("sent", 0, False),
        ("sent", 1, True),
        ("accepted", 600, False),  # answered: never overdue
        ("declined", 600, False),
        ("withdrawn", 600, False),
    ],
)
def test_overdue(state, minutes_after, overdue):
    due = dt.datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    now = due + dt.timedelta(minutes=minutes_after)
    assert rules.is_overdue(state=state, due_at=due, now=now) is overdue


def test_task_overdue():
    today = dt.date(2026, 3, 4)
    assert rules.task_overdue(due_on=dt.date(2026, 3, 3), done=False, today=today)
    assert not rules.task_overdue(due_on=dt.date(2026, 3, 3), done=True, today=today)
    assert not rules.task_overdue(due_on=today, done=False, today=today)


def offer(pk=1, **kw):
    base = dict(
        pk=pk,
        service="Shelter",
        sexes=(),
        age_min=None,
        age_max=None,
        nationalities=(),
        forms=(),
        region="ML09",
        lat=12.6,
        lon=-8.0,
        total=None,
        in_use=0,
    )
    return rules.Offer(**(base | kw))


GIRL = rules.Person(
    gender="Feminine", age=14, nationalities=("ML",), forms=("DomesticServitude",), region="ML09"
)
MAN = rules.Person(gender="Masculine", age=30, nationalities=("ML",), forms=("ForcedLabour",), region="ML01")
UNKNOWN_AGE = rules.Person(gender="Masculine", age=None, nationalities=("NE",), forms=(), region="ML05")


@pytest.mark.parametrize(
    "kw,person,reasons",
    [
        ({}, GIRL, []),
        ({"sexes": ("Feminine",)}, MAN, ["sex"]),
        ({"age_max": 17}, MAN, ["age"]),
        ({"age_min": 18}, GIRL, ["age"]),
        ({"age_min": 18}, UNKNOWN_AGE, ["age"]),  # an unknown age is presumed a child's
        ({"age_max": 17}, UNKNOWN_AGE, []),
        ({"nationalities": ("NG",)}, GIRL, ["nationality"]),
        ({"forms": ("ArmedForcesRecruitment",)}, GIRL, ["form"]),
    ],
)
def test_eligibility(kw, person, reasons):
    assert rules.ineligibility(offer(**kw), person) == reasons


def test_full_shelter_is_not_suggested_but_a_service_without_places_is():
    full = offer(1, total=10, in_use=10)
    free = offer(2, total=10, in_use=9, region="ML01", lat=14.4, lon=-11.4)
    suggested = [o.pk for o, _km in rules.suggest([full, free], GIRL, service="Shelter", places=True)]
    assert suggested == [2]
    # Where the service does not count places, capacity is not a filter.
    counted = [o.pk for o, _km in rules.suggest([full], GIRL, service="Shelter", places=False)]
    assert counted == [1]


def test_suggestions_same_region_then_nearest_then_most_places():
    far = offer(1, region="ML07", lat=16.27, lon=-0.04)
    near = offer(2, region="ML01", lat=14.4, lon=-11.4)
    home = offer(3, region="ML09", lat=12.6, lon=-8.0)
    ranked = rules.suggest([far, near, home], GIRL, service="Shelter", places=False, origin=(12.6, -8.0))
    assert [o.pk for o, _km in ranked] == [3, 2, 1]
    assert ranked[0][1] == pytest.approx(0, abs=0.1)


def test_ineligible_and_other_services_are_not_suggested():
    assert rules.suggest([offer(1, sexes=("Feminine",))], MAN, service="Shelter", places=True) == []
    assert rules.suggest([offer(1, service="Medical")], GIRL, service="Shelter", places=True) == []


@pytest.mark.parametrize(
    "basis,urgent,reason,ok",
    [
        ("consent", False, "", True),
        ("own", False, "", True),
        (None, False, "a long enough reason here", False),  # no consent: only an urgent referral
        (None, True, "", False),
        (None, True, "too short", False),
        (None, True, "Enfant seul à la gare, danger immédiat cette nuit", True),
    ],
)
def test_consent_gate(basis, urgent, reason, ok):
    assert (rules.check_consent_gate(basis=basis, urgent=urgent, urgent_reason=reason) == {}) is ok


def test_packet_only_known_fields_and_at_least_one():
    assert rules.check_packet(["first_name", "age"]) == {}
    assert "shared_fields" in rules.check_packet([])
    assert "shared_fields" in rules.check_packet(["first_name", "password"])


def test_figures_rules():
    assert rules.acceptance_rate(3, 4) == 75.0
    assert rules.acceptance_rate(0, 0) is None
    assert rules.median_hours([dt.timedelta(hours=h) for h in (1, 5, 30)]) == 5.0
    assert rules.median_hours([]) is None


def test_pathways():
    assert rules.pathway_errors({"children_only": True}, MAN)
    assert rules.pathway_errors({"children_only": True}, GIRL) == {}
    assert rules.pathway_errors({"foreigners_only": True}, GIRL)
    assert rules.pathway_errors({"foreigners_only": True}, UNKNOWN_AGE) == {}
