"""The contract judge itself (testing/contract): it must catch what is off the description.

These tests feed the judge pairs directly (a judge of their own, not the harness's), so
the wrong answers they make up never fail the suite; only what they assert does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from testing.contract import description
from testing.contract.findings import Exchange
from testing.contract.graphql import GraphQLJudge
from testing.contract.judge import Judge
from testing.contract.rest import RestJudge
from testing.contract.subprocess import OUT_ENV
from testing.fake_github import FakeGitHub
from testing.fake_github import dispatcher as fake_dispatcher
from testing.fake_github.http_client import call
from testing.fake_github.http_util import Request, Response

pytestmark = pytest.mark.skipif(
    bool(description.missing()),
    reason=f"GitHub's official descriptions are not installed: {description.INSTALL_HINT}",
)

JSON = (("content-type", "application/json; charset=utf-8"),)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rest() -> RestJudge:
    return RestJudge(description.rest_description())


@pytest.fixture(scope="module")
def graphql() -> GraphQLJudge:
    return GraphQLJudge(description.graphql_introspection())


def example(name: str) -> Any:
    """An example from the description (GitHub's own sample of a response)."""
    return description.rest_description()["components"]["examples"][name]["value"]


def pair(method: str, path: str, status: int, answer: Any, **kwargs: Any) -> Exchange:
    return Exchange(
        method=method,
        path=path,
        status=status,
        response_headers=JSON,
        response_body=json.dumps(answer).encode(),
        **kwargs,
    )


def test_a_response_of_githubs_own_shape_passes(rest: RestJudge) -> None:
    verdict = rest.judge(pair("GET", "/rate_limit", 200, example("rate-limit-overview")))
    assert verdict.operation == "GET /rate_limit"
    assert verdict.violations == []


def test_a_wrong_type_in_a_response_names_the_operation_and_the_field(rest: RestJudge) -> None:
    body = example("rate-limit-overview")
    body["resources"]["core"]["remaining"] = "plenty"
    [violation] = rest.judge(pair("GET", "/rate_limit", 200, body)).violations
    assert violation.operation == "GET /rate_limit"
    assert (violation.side, violation.status) == ("response", 200)
    assert violation.field == "$.resources.core.remaining"
    assert "'plenty' is not of type 'integer'" in violation.message
    assert str(violation).startswith(
        "GET /rate_limit: response 200: $.resources.core.remaining: 'plenty' is not of type"
    )


def test_array_items_are_named_by_index(rest: RestJudge) -> None:
    labels = [{"id": 1, "name": "a"}, {"id": "two", "name": "b"}]
    found = rest.judge(pair("GET", "/repos/acme/app/labels", 200, labels)).violations
    assert found
    assert {v.operation for v in found} == {"GET /repos/{owner}/{repo}/labels"}
    assert all(v.field.startswith("$[") for v in found)
    assert any(v.field == "$[1].id" for v in found)


def test_an_unknown_path_and_an_unknown_method_are_violations(rest: RestJudge) -> None:
    [unknown] = rest.judge(pair("GET", "/no/such/thing", 404, {})).violations
    assert (unknown.field, unknown.message) == ("path", "no such path in the description")
    [method] = rest.judge(pair("PUT", "/rate_limit", 200, {})).violations
    assert method.operation == "PUT /rate_limit"
    assert method.field == "method"
    assert "has no PUT for this path (it has GET)" in method.message


def test_a_request_body_off_the_description_names_the_field(rest: RestJudge) -> None:
    exchange = pair(
        "POST",
        "/repos/acme/app/issues",
        422,
        {"message": "Validation Failed", "documentation_url": "https://docs.github.com"},
        headers={"content-type": "application/json"},
        body=json.dumps({"title": "t", "labels": [{"nope": 1}], "milestone": []}).encode(),
    )
    found = rest.judge(exchange).violations
    assert {(v.operation, v.side) for v in found} == {
        ("POST /repos/{owner}/{repo}/issues", "request")
    }
    assert any(v.field.startswith("$.milestone") or v.field.startswith("$.labels") for v in found)


def test_query_parameters_are_checked(rest: RestJudge) -> None:
    exchange = pair("GET", "/orgs/acme/code-scanning/alerts", 200, [], query=(("state", "nope"),))
    [violation] = rest.judge(exchange).violations
    assert violation.field == "query.state"
    assert "'nope' is not one of" in violation.message


def test_statuses_an_operation_does_not_declare(rest: RestJudge) -> None:
    error = {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
    assert rest.judge(pair("GET", "/rate_limit", 401, error)).violations == []
    [teapot] = rest.judge(pair("GET", "/rate_limit", 418, error)).violations
    assert teapot.field == "status"
    assert "status 418 is not declared" in teapot.message
    [shape] = rest.judge(pair("GET", "/rate_limit", 403, {"message": 5})).violations
    assert shape.field == "$.message"
    not_modified = Exchange(method="GET", path="/rate_limit", status=304)
    assert rest.judge(not_modified).violations == []


def test_a_deliberately_bad_request_is_counted_not_reported(rest: RestJudge) -> None:
    error = {"message": "Invalid state", "documentation_url": "https://docs.github.com/rest"}
    exchange = pair(
        "GET", "/orgs/acme/code-scanning/alerts", 400, error, query=(("state", "nope"),)
    )
    verdict = rest.judge(exchange, deliberate=True)
    assert (verdict.violations, verdict.deliberate) == ([], 1)
    wrong_shape = pair(
        "GET", "/orgs/acme/code-scanning/alerts", 400, [], query=(("state", "nope"),)
    )
    assert rest.judge(wrong_shape, deliberate=True).violations


def test_the_campaign_quirk_is_excused_and_counted(rest: RestJudge) -> None:
    body = {
        "name": "Leaked tokens",
        "description": "Rotate them",
        "ends_at": "2030-01-01T00:00:00Z",
        "secret_scanning_alerts": [{"repository_id": 1, "alert_numbers": [1]}],
    }
    exchange = pair(
        "POST",
        "/orgs/acme/campaigns",
        422,
        {"message": "Validation Failed", "documentation_url": "https://docs.github.com"},
        headers={"content-type": "application/json"},
        body=json.dumps(body).encode(),
    )
    verdict = rest.judge(exchange)
    assert verdict.violations == []
    assert len(verdict.excused) == 1
    assert "secret_scanning_alerts" in verdict.excused[0]


def test_graphql_queries_against_the_public_schema(graphql: GraphQLJudge) -> None:
    good = {"query": 'query($o: String!) { repository(owner: $o, name: "x") { id } }'}
    assert graphql.judge(json.dumps({**good, "variables": {"o": "acme"}}).encode()) == []
    [variables] = graphql.judge(json.dumps({**good, "variables": {"o": 5}}).encode())
    assert variables.field == "variables"
    assert "$o" in variables.message
    bad = {"query": '{ repository(owner: "a", name: "b") { issueCount } }'}
    [field] = graphql.judge(json.dumps(bad).encode())
    assert (field.operation, field.side, field.field) == ("POST /graphql", "request", "query")
    assert "Cannot query field 'issueCount' on type 'Repository'" in field.message


def test_the_observer_sees_a_real_fake_and_skips_faults() -> None:
    """A judge of its own on a started fake: its real answers pass, the same answer with a
    wrong type is reported with the operation and the field, injected faults are skipped."""
    seen: list[tuple[Request, Response | None, str | None]] = []

    def capture(req: Request, response: Response | None, fault: str | None) -> None:
        seen.append((req, response, fault))

    judge = Judge()
    fake_dispatcher.OBSERVERS.append(capture)
    try:
        with FakeGitHub(repos=2, alerts=20, seed=3, simulated_clock=True) as fake:
            assert call(fake.url, "GET", "/rate_limit", token=fake.token).status == 200
            fake.set_faults(rate=1.0, kinds=["503"], seed=1)
            assert call(fake.url, "GET", "/rate_limit", token=fake.token).status == 503
    finally:
        fake_dispatcher.OBSERVERS.remove(capture)
    (req, ok, _), (_, faulty, fault) = seen
    assert ok is not None
    judge.observe(req, ok, None)
    judge.observe(req, faulty, fault)
    assert judge.take() == []
    assert (judge.tally.pairs, judge.tally.faults) == (1, 1)
    body = json.loads(ok.body)
    body["rate"]["limit"] = None
    judge.observe(req, Response(200, json.dumps(body).encode(), ok.headers), None)
    [violation] = judge.take()
    assert str(violation).startswith("GET /rate_limit: response 200: $.rate.limit:")


def test_a_fake_in_a_subprocess_reports_through_files(tmp_path: Path) -> None:
    """``python -m testing.fake_github`` under the harness (``CAMPAIGN_SYNC_CONTRACT_OUT``)
    judges its own exchanges: violations as they happen, its tally when it stops."""
    env = {**os.environ, OUT_ENV: str(tmp_path)}
    command = [sys.executable, "-m", "testing.fake_github", "--repos", "2", "--alerts", "10"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env) as fake:
        try:
            assert fake.stdout is not None
            ready = json.loads(fake.stdout.readline())
            assert call(ready["url"], "GET", "/rate_limit", token=ready["token"]).status == 200
            assert call(ready["url"], "GET", "/no/such/path", token=ready["token"]).status == 404
        finally:
            fake.terminate()
            fake.wait(timeout=10)
    [violations] = tmp_path.glob("*.violations.jsonl")
    [line] = violations.read_text().splitlines()
    assert json.loads(line)["operation"] == "GET /no/such/path"
    [tally] = tmp_path.glob("*.tally.json")
    counted = json.loads(tally.read_text())
    assert (counted["pairs"], counted["operations"], counted["off"]) == (
        2,
        {"GET /rate_limit": 1},
        1,
    )
