"""Contract test: every response of the fake GitHub validates against GitHub's OpenAPI file.

Response bodies are validated against the schema the spec declares for that path, method and
status (nullable converted to JSON Schema, Draft 4, ``$ref`` resolved against the whole
document, ``date-time`` and ``uri`` formats checked); request bodies the test sends are
validated against the operation's request schema first. Errors a path does not declare are
checked against ``basic-error``, GitHub's generic error shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema
import pytest
from testing.fake_github import FakeGitHub
from testing.fake_github.dispatcher import ALL_ROUTES
from testing.fake_github.http_client import Reply, call

# A copy of ../shared/github-rest, vendored so the test needs nothing outside the repository.
SPEC_PATH = Path(__file__).parents[1] / "testing" / "openapi" / "api.github.com.subset.json"
ORG = "acme"

pytestmark = pytest.mark.skipif(not SPEC_PATH.exists(), reason="OpenAPI subset not available")


def nullable(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable: true`` -> an explicit JSON Schema null branch."""
    if isinstance(node, list):
        return [nullable(x) for x in node]
    if not isinstance(node, dict):
        return node
    node = {k: nullable(v) for k, v in node.items()}
    return {"anyOf": [node, {"type": "null"}]} if node.pop("nullable", False) else node


FORMATS = jsonschema.FormatChecker(formats=())
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


@FORMATS.checks("date-time")
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATE_TIME.fullmatch(value))


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = urlparse(value)
    return bool(parsed.scheme and parsed.netloc)


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return loaded


@cache
def components() -> dict[str, Any]:
    converted: dict[str, Any] = nullable(spec()["components"])
    return converted


def _deref(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        _, section, name = node["$ref"].lstrip("#/").split("/")
        node = spec()["components"][section][name]
    return node


@cache
def validator_for(schema_json: str) -> jsonschema.Draft4Validator:
    schema = {"allOf": [nullable(json.loads(schema_json))], "components": components()}
    return jsonschema.Draft4Validator(schema, format_checker=FORMATS)


def validate(schema: dict[str, Any], instance: Any) -> None:
    validator_for(json.dumps(schema, sort_keys=True)).validate(instance)


BASIC_ERROR = {"$ref": "#/components/schemas/basic-error"}


def response_schema(method: str, template: str, status: int) -> dict[str, Any] | None:
    """The declared JSON schema, None for a declared body-less response, else basic-error."""
    operation = spec()["paths"][template][method.lower()]
    declared = operation["responses"].get(str(status))
    if declared is None:
        assert status >= 400, f"{method} {template} answered an undeclared {status}"
        return BASIC_ERROR
    content = _deref(declared).get("content", {}).get("application/json")
    if content is None or "schema" not in content:
        return None if status < 400 else BASIC_ERROR
    schema: dict[str, Any] = content["schema"]
    return schema


def request_schema(method: str, template: str) -> dict[str, Any]:
    body = spec()["paths"][template][method.lower()]["requestBody"]
    schema: dict[str, Any] = body["content"]["application/json"]["schema"]
    return schema


class Contract:
    """Sends requests to the fake and checks both directions against the spec."""

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake
        self.checked: list[tuple[str, str, int]] = []

    def __call__(
        self,
        method: str,
        template: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        scheme: str = "token",
        expect: int | None = None,
        check_request: bool = True,
    ) -> Reply:
        if body is not None and check_request:
            validate(request_schema(method, template), body)
        reply = call(
            self.fake.url, method, path, token=token or self.fake.token, body=body, scheme=scheme
        )
        if expect is not None:
            assert reply.status == expect, reply.body
        schema = response_schema(method, template, reply.status)
        if schema is None:
            assert reply.raw == b"", f"{method} {path}: {reply.status} must have no body"
        else:
            validate(schema, reply.body)
        self.checked.append((method, template, reply.status))
        return reply

    def walk(self, template: str, path: str) -> Iterator[Reply]:
        url: str | None = path
        while url:
            reply = self(template=template, method="GET", path=url, expect=200)
            yield reply
            url = reply.links().get("next")


@pytest.fixture(scope="module")
def contract() -> Iterator[Contract]:
    with FakeGitHub(
        repos=12, alerts=700, seed=11, simulated_clock=True, token_budget=50_000
    ) as fake:
        yield Contract(fake)


def writable(fake: FakeGitHub, index: int = 0) -> str:
    return fake.repo_names(archived=False, complete=True)[index]


# alerts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "query"),
    [
        ("code-scanning", "per_page=100"),
        ("dependabot", "per_page=100"),
        ("secret-scanning", "per_page=100"),
        ("secret-scanning", "per_page=100&hide_secret=true&after="),
    ],
)
def test_org_alert_listings(contract: Contract, kind: str, query: str) -> None:
    template = f"/orgs/{{org}}/{kind}/alerts"
    item_schema = _deref(response_schema("GET", template, 200) or {})["items"]
    listed = set(_deref(item_schema)["properties"])  # optional ones too: the fake sends all
    if "hide_secret=true" in query:
        listed.discard("secret")
    states = set()
    for reply in contract.walk(template, f"/orgs/{ORG}/{kind}/alerts?{query}"):
        states |= {item["state"] for item in reply.body}
        assert all(set(item) == listed for item in reply.body)
    assert len(states) >= 2, "the listing covers open and closed alerts"


@pytest.mark.parametrize("kind", ["code-scanning", "dependabot", "secret-scanning"])
def test_repository_alerts(contract: Contract, kind: str) -> None:
    fake = contract.fake
    for full_name in fake.repo_names(complete=True)[:4]:
        template = f"/repos/{{owner}}/{{repo}}/{kind}/alerts"
        replies = list(contract.walk(template, f"/repos/{full_name}/{kind}/alerts?per_page=50"))
        numbers = [item["number"] for reply in replies for item in reply.body]
        for number in numbers[:5]:
            contract(
                "GET",
                f"{template}/{{alert_number}}",
                f"/repos/{full_name}/{kind}/alerts/{number}",
                expect=200,
            )
        contract(
            "GET",
            f"{template}/{{alert_number}}",
            f"/repos/{full_name}/{kind}/alerts/9999",
            expect=404,
        )


def test_alert_updates(contract: Contract) -> None:
    fake = contract.fake
    repo = writable(fake)
    base = f"/repos/{repo}"
    code = fake.add_alert(repo, "code-scanning")
    dep = fake.add_alert(repo, "dependabot", ecosystem="npm", package="lodash")
    secret = fake.add_alert(repo, "secret-scanning")
    contract(
        "PATCH",
        "/repos/{owner}/{repo}/code-scanning/alerts/{alert_number}",
        f"{base}/code-scanning/alerts/{code}",
        {
            "state": "dismissed",
            "dismissed_reason": "false positive",
            "dismissed_comment": "Validated upstream",
        },
        expect=200,
    )
    contract(
        "PATCH",
        "/repos/{owner}/{repo}/dependabot/alerts/{alert_number}",
        f"{base}/dependabot/alerts/{dep}",
        {"state": "dismissed", "dismissed_reason": "tolerable_risk"},
        expect=200,
    )
    reply = contract(
        "PATCH",
        "/repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}",
        f"{base}/secret-scanning/alerts/{secret}",
        {"state": "resolved", "resolution": "revoked"},
        expect=200,
    )
    assert reply.body["resolution"] == "revoked"
    contract(
        "PATCH",
        "/repos/{owner}/{repo}/dependabot/alerts/{alert_number}",
        f"{base}/dependabot/alerts/{dep}",
        {"state": "open"},
        expect=200,
    )


def test_alert_errors(contract: Contract) -> None:
    fake = contract.fake
    repo = writable(fake, 1)
    contract(
        "GET", "/orgs/{org}/code-scanning/alerts", "/orgs/nope/code-scanning/alerts", expect=404
    )
    contract(
        "GET", "/orgs/{org}/dependabot/alerts", f"/orgs/{ORG}/dependabot/alerts?page=2", expect=400
    )
    limited = fake.add_token(permissions={"metadata": "read"})
    for kind in ("code-scanning", "dependabot", "secret-scanning"):
        contract(
            "GET",
            f"/orgs/{{org}}/{kind}/alerts",
            f"/orgs/{ORG}/{kind}/alerts",
            token=limited,
            expect=403,
        )
    contract(
        "GET",
        "/orgs/{org}/code-scanning/alerts",
        f"/orgs/{ORG}/code-scanning/alerts",
        token="ghp_unknown",
        expect=401,
    )
    fake.set_feature(repo, "code_scanning", False)
    fake.set_feature(repo, "secret_scanning", False)
    fake.set_feature(repo, "dependabot", False)
    try:
        contract(
            "GET",
            "/repos/{owner}/{repo}/code-scanning/alerts",
            f"/repos/{repo}/code-scanning/alerts",
            expect=403,
        )
        contract(
            "GET",
            "/repos/{owner}/{repo}/dependabot/alerts",
            f"/repos/{repo}/dependabot/alerts",
            expect=403,
        )
        contract(
            "GET",
            "/repos/{owner}/{repo}/secret-scanning/alerts",
            f"/repos/{repo}/secret-scanning/alerts",
            expect=404,
        )
    finally:
        for feature in ("code_scanning", "secret_scanning", "dependabot"):
            fake.set_feature(repo, feature, True)


def test_fault_bodies(contract: Contract) -> None:
    fake = contract.fake
    fake.set_faults(rate=1.0, kinds=["503"], seed=1)
    try:
        contract(
            "GET",
            "/orgs/{org}/code-scanning/alerts",
            f"/orgs/{ORG}/code-scanning/alerts",
            expect=503,
        )
        fake.set_faults(kinds=["500"])
        contract(
            "GET",
            "/repos/{owner}/{repo}/code-scanning/alerts/{alert_number}/autofix",
            f"/repos/{writable(fake)}/code-scanning/alerts/1/autofix",
            expect=500,
        )
    finally:
        fake.set_faults(rate=0.0)


# repositories, properties, rate limit ---------------------------------------------------


def test_repositories_and_properties(contract: Contract) -> None:
    repos = [
        item
        for reply in contract.walk("/orgs/{org}/repos", f"/orgs/{ORG}/repos?per_page=5")
        for item in reply.body
    ]
    assert len(repos) == 12
    for repo in repos[:3]:
        contract("GET", "/repos/{owner}/{repo}", f"/repos/{repo['full_name']}", expect=200)
        contract(
            "GET", "/repos/{owner}/{repo}/topics", f"/repos/{repo['full_name']}/topics", expect=200
        )
        contract(
            "GET",
            "/repos/{owner}/{repo}/properties/values",
            f"/repos/{repo['full_name']}/properties/values",
            expect=200,
        )
    list(contract.walk("/orgs/{org}/properties/values", f"/orgs/{ORG}/properties/values"))
    contract("GET", "/repos/{owner}/{repo}", f"/repos/{ORG}/missing", expect=404)
    contract("GET", "/rate_limit", "/rate_limit", expect=200)


# issues, comments, labels, search -------------------------------------------------------


def test_issues_comments_labels_search(contract: Contract) -> None:
    fake = contract.fake
    repo = writable(fake)
    base = f"/repos/{repo}"
    issues = "/repos/{owner}/{repo}/issues"
    issue = "/repos/{owner}/{repo}/issues/{issue_number}"
    created = contract(
        "POST",
        issues,
        f"{base}/issues",
        {
            "title": "[campaign] SQL injection",
            "body": "Tracking.\n<!-- m -->",
            "labels": ["security"],
            "assignees": ["mona"],
        },
        expect=201,
    )
    number = created.body["number"]
    contract("POST", issues, f"{base}/issues", {"labels": ["x"]}, expect=422, check_request=False)
    contract("GET", issues, f"{base}/issues?state=all&labels=security&sort=updated", expect=200)
    contract("GET", issue, f"{base}/issues/{number}", expect=200)
    contract("GET", issue, f"{base}/issues/999", expect=404)
    contract(
        "PATCH",
        issue,
        f"{base}/issues/{number}",
        {"body": "Updated", "state": "closed", "state_reason": "completed"},
        expect=200,
    )
    comments = f"{issue}/comments"
    comment = contract(
        "POST", comments, f"{base}/issues/{number}/comments", {"body": "Done"}, expect=201
    )
    contract("GET", comments, f"{base}/issues/{number}/comments", expect=200)
    one_comment = "/repos/{owner}/{repo}/issues/comments/{comment_id}"
    contract("GET", one_comment, f"{base}/issues/comments/{comment.body['id']}", expect=200)
    contract(
        "PATCH",
        one_comment,
        f"{base}/issues/comments/{comment.body['id']}",
        {"body": "Done, edited"},
        expect=200,
    )
    labels = "/repos/{owner}/{repo}/labels"
    contract(
        "POST",
        labels,
        f"{base}/labels",
        {"name": "campaign:sqli", "color": "b60205", "description": "Campaign"},
        expect=201,
    )
    contract("POST", labels, f"{base}/labels", {"name": "campaign:sqli"}, expect=422)
    contract("GET", labels, f"{base}/labels?per_page=100", expect=200)
    contract(
        "POST",
        f"{issue}/labels",
        f"{base}/issues/{number}/labels",
        {"labels": ["campaign:sqli"]},
        expect=200,
    )
    contract("GET", f"{issue}/labels", f"{base}/issues/{number}/labels", expect=200)
    contract(
        "PUT",
        f"{issue}/labels",
        f"{base}/issues/{number}/labels",
        {"labels": ["security"]},
        expect=200,
    )
    fake.clock.advance(120)
    found = contract(
        "GET", "/search/issues", f"/search/issues?q=repo:{repo}+is:issue+m", expect=200
    )
    assert found.body["total_count"] == 1
    archived = fake.repo_names(archived=True)
    if archived:
        contract("POST", issues, f"/repos/{archived[0]}/issues", {"title": "t"}, expect=403)
    fake.set_feature(repo, "has_issues", False)  # GitHub's 410 Gone, a basic-error
    contract("POST", issues, f"{base}/issues", {"title": "t"}, expect=410)
    fake.set_feature(repo, "has_issues", True)


# campaigns and autofix ---------------------------------------------------------------


def test_campaigns(contract: Contract) -> None:
    fake = contract.fake
    repo = writable(fake)
    repo_id = contract("GET", "/repos/{owner}/{repo}", f"/repos/{repo}", expect=200).body["id"]
    body = {
        "name": "SQL injection burn-down",
        "description": "Fix every SQL injection before the audit.",
        "managers": ["mona"],
        "team_managers": ["appsec"],
        "ends_at": "2026-06-30T00:00:00Z",
        "contact_link": "https://github.com/orgs/acme/discussions/42",
        "code_scanning_alerts": [{"repository_id": repo_id, "alert_numbers": [1, 2]}],
    }
    created = contract("POST", "/orgs/{org}/campaigns", f"/orgs/{ORG}/campaigns", body, expect=200)
    number = created.body["number"]
    one = "/orgs/{org}/campaigns/{campaign_number}"
    contract("GET", one, f"/orgs/{ORG}/campaigns/{number}", expect=200)
    contract(
        "PATCH",
        one,
        f"/orgs/{ORG}/campaigns/{number}",
        {"state": "closed", "contact_link": None},
        expect=200,
    )
    contract("GET", "/orgs/{org}/campaigns", f"/orgs/{ORG}/campaigns?state=closed", expect=200)
    invalid = {**body, "name": "n" * 51}
    contract(
        "POST",
        "/orgs/{org}/campaigns",
        f"/orgs/{ORG}/campaigns",
        invalid,
        expect=422,
        check_request=False,
    )
    contract("DELETE", one, f"/orgs/{ORG}/campaigns/{number}", expect=204)
    contract("GET", one, f"/orgs/{ORG}/campaigns/{number}", expect=404)


def test_autofix(contract: Contract) -> None:
    fake = contract.fake
    writable_repos = set(fake.repo_names(archived=False))
    alert = next(
        item
        for reply in contract.walk(
            "/orgs/{org}/code-scanning/alerts",
            f"/orgs/{ORG}/code-scanning/alerts?state=open&per_page=100",
        )
        for item in reply.body
        if item["tool"]["name"] == "CodeQL" and item["repository"]["full_name"] in writable_repos
    )
    template = "/repos/{owner}/{repo}/code-scanning/alerts/{alert_number}/autofix"
    full_name, number = alert["repository"]["full_name"], alert["number"]
    path = f"/repos/{full_name}/code-scanning/alerts/{number}/autofix"
    contract("GET", template, path, expect=404)
    contract("POST", template, path, expect=202)
    contract("POST", template, path, expect=200)
    fake.clock.advance(60)
    assert contract("GET", template, path, expect=200).body["status"] == "success"


# GitHub App ------------------------------------------------------------------------------


def test_app_endpoints(contract: Contract) -> None:
    fake = contract.fake
    jwt = fake.app_jwt()
    contract(
        "GET", "/app/installations", "/app/installations", token=jwt, scheme="Bearer", expect=200
    )
    contract(
        "GET",
        "/repos/{owner}/{repo}/installation",
        f"/repos/{writable(fake)}/installation",
        token=jwt,
        scheme="Bearer",
        expect=200,
    )
    org_installation = call(
        fake.url, "GET", f"/orgs/{ORG}/installation", token=jwt, scheme="Bearer"
    )
    validate({"$ref": "#/components/schemas/installation"}, org_installation.body)
    minted = call(
        fake.url,
        "POST",
        f"/app/installations/{fake.installation_id()}/access_tokens",
        token=jwt,
        scheme="Bearer",
    )
    assert minted.status == 201
    assert set(minted.body) == {"token", "expires_at", "permissions", "repository_selection"}


def test_route_table_matches_the_spec() -> None:
    """Every route the fake serves is an operation of the spec (two app routes and the
    GraphQL endpoint, which the REST description does not cover, aside), and the spec
    operations it leaves out are exactly the ones campaign-sync does not use."""
    served = {(route.method, route.template) for route in ALL_ROUTES}
    outside_spec = {
        ("GET", "/orgs/{org}/installation"),
        ("POST", "/app/installations/{installation_id}/access_tokens"),
        ("POST", "/graphql"),
        ("GET", "/meta"),  # not in the extract; its shape is checked in test_fake_github.py
    }
    in_spec = {
        (method.upper(), path)
        for path, item in spec()["paths"].items()
        for method in item
        if method in ("get", "post", "patch", "put", "delete")
    }
    assert served - in_spec == outside_spec
    assert in_spec - served == {
        ("GET", "/repos/{owner}/{repo}/contents/{path}"),
        ("PUT", "/repos/{owner}/{repo}/contents/{path}"),
        ("DELETE", "/repos/{owner}/{repo}/contents/{path}"),
        ("POST", "/orgs/{org}/repos"),
        ("PATCH", "/repos/{owner}/{repo}"),
        ("DELETE", "/repos/{owner}/{repo}"),
        ("POST", "/repos/{owner}/{repo}/code-scanning/alerts/{alert_number}/autofix/commits"),
        ("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
        ("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
        ("PATCH", "/repos/{owner}/{repo}/properties/values"),
        ("PATCH", "/orgs/{org}/properties/values"),
        ("PUT", "/repos/{owner}/{repo}/topics"),
    }


def test_a_renamed_repository_s_old_paths_answer_301_in_github_s_shape() -> None:
    """Only where the spec declares a 301 (it declares none for the alert listings, and 307
    only for PATCH and DELETE of the repository itself); its own fake, so renaming a
    repository leaves the other tests' alone."""
    with FakeGitHub(repos=2, alerts=20, seed=3, simulated_clock=True) as fake:
        contract = Contract(fake)
        old = writable(fake)
        issue = contract(
            "POST", "/repos/{owner}/{repo}/issues", f"/repos/{old}/issues", {"title": "t"}
        ).body["number"]
        repo_id = fake.rename_repo(old, f"{old}-app")
        for template, path in [
            ("/repos/{owner}/{repo}", f"/repos/{old}"),
            ("/repos/{owner}/{repo}/issues", f"/repos/{old}/issues"),
            ("/repos/{owner}/{repo}/issues/{issue_number}", f"/repos/{old}/issues/{issue}"),
        ]:
            reply = contract("GET", template, path, expect=301)
            moved = path.replace(f"/repos/{old}", f"/repositories/{repo_id}")
            assert reply.body["message"] == "Moved Permanently"
            assert reply.body["url"] == reply.headers["location"] == fake.url + moved
