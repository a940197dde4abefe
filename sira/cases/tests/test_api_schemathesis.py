"""Issue 10: schemathesis over the whole OpenAPI schema (/api/v1/schema/), authenticated as a frontline
worker and as a prosecutor: no server error, and every response conforms to the schema (status code
documented, content type, body). A bounded number of examples per operation in the suite
(SIRA_SCHEMATHESIS_EXAMPLES, default 8); the dedicated run sets more."""

import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sira.accounts import tokens
from sira.cases import services
from sira.testing.auth import authenticator
from sira.testing.factories import CaseFactory, OrganisationFactory, UserFactory

EXAMPLES = int(os.environ.get("SIRA_SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(params=["frontline_worker", "prosecutor"])
def api_user(request, db):
    org = OrganisationFactory(name="ONG Schema", acronym="SCH")
    court = OrganisationFactory(name="Pôle Schema", acronym="PJS", org_type="Court")
    worker = UserFactory(username="agent.schema", organisation=org, role="frontline_worker")
    prosecutor = UserFactory(username="procureur.schema", organisation=court, role="prosecutor")
    cases = [CaseFactory(by=worker, share_with=[court]) for _ in range(3)]
    services.grant_access(cases[0], by=worker, reason="referral", user=prosecutor)
    user = worker if request.param == "frontline_worker" else prosecutor
    authenticator(user)  # an API token works only for an account with its second factor set up
    _token, key = tokens.issue(user)
    return user, key, [c.pk for c in cases]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The real WSGI handler closes the database connection after each request; inside a test's
    transaction that would end it (Django's test client disconnects the same handlers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def api_schema():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = get_wsgi_application()
    return loaded


def test_the_api_answers_every_generated_request_within_its_schema(api_user):
    user, token, case_ids = api_user
    # identity: the WSGI test client does not undo the gzip the site applies
    headers = {"Authorization": f"Token {token}", "Accept-Language": "en", "Accept-Encoding": "identity"}
    failures, calls = {}, Counter()
    for result in api_schema().get_all_operations():
        operation = result.ok()
        strategies = [operation.as_strategy()]
        if "{id}" in operation.path:  # also on the records the user holds, not only on random ids
            strategies.append(operation.as_strategy(path_parameters={"id": case_ids[0]}))

        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=st.one_of(strategies))
        def check(case):
            response = case.call(headers=headers)
            calls[case.operation.label] += 1
            calls[f"status {response.status_code}"] += 1
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # every operation tried; failures reported together
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:2000]
    print(
        f"\nschemathesis as {user.role}: {sum(v for k, v in calls.items() if not k.startswith('status'))} "
        f"calls over {len([k for k in calls if not k.startswith('status')])} operations; "
        f"{dict(sorted((k, v) for k, v in calls.items() if k.startswith('status')))}"
    )
    assert failures == {}, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
