"""Secrets end to end: a known token and a secret scanning alert whose secret the fake GitHub
knows. Through `campaign-sync alerts`, `plan` (every format) and `apply` over HTTP, with a
job summary: neither the token nor the secret appears in any output, summary, file under
the repository, request made, or issue title, body or comment on the fake. A revoked token's
error names no token either.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync import cli
from campaign_sync.sources import github_json

# A fixed token in GitHub's classic format (ghp_ + 36 characters), never a real one.
TOKEN = "ghp_Zq8Xw3Lr5Nt0Vb7Ck2Hm9Jp4Ds6Fy1Ga3Eu0"
CAMPAIGN = """\
name: Leaked secrets
description: Revoke every leaked token.
managers: [mona]
contact: https://github.com/orgs/acme/discussions/9
ends: 2027-03-31
state: active
select:
  alerts: [secret-scanning]
  repositories: {{include: ["{repo}"]}}
tracking:
  labels: [secrets]
  public-details: true
"""


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    fake: FakeGitHub = fake_github_factory(repos=2, alerts=12, seed=5)
    fake.add_token(value=TOKEN)
    return fake


@pytest.fixture
def leaked(fake: FakeGitHub) -> tuple[str, int, str]:
    """A new secret scanning alert: (repository, number, the secret's value)."""
    repo = fake.repo_names(archived=False, complete=True)[0]
    number = fake.add_alert(
        repo, "secret-scanning", secret_type="github_personal_access_token", validity="active"
    )
    # Without hide_secret the API answers with the secret, as GitHub's does.
    request = urllib.request.Request(
        f"{fake.url}/repos/{repo}/secret-scanning/alerts/{number}",
        headers={"Authorization": f"token {TOKEN}", "Accept": "application/vnd.github+json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        data = json.load(response)
    secret = data["secret"]
    assert len(secret) >= 20
    # The normalizer keeps no trace of it.
    alert = github_json.secret_scanning_alert(data, repo)
    assert secret not in repr(alert)
    return repo, number, secret


@pytest.fixture
def workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeGitHub, leaked: tuple[str, int, str]
) -> Path:
    root = tmp_path / "campaigns-repo"
    (root / "campaigns").mkdir(parents=True)
    (root / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    (root / "campaigns" / "leaked.yml").write_text(
        CAMPAIGN.format(repo=leaked[0]), encoding="utf-8"
    )
    monkeypatch.chdir(root)
    for name in ("GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "step-summary.md"))
    return root


def run(capsys: pytest.CaptureFixture[str], fake: FakeGitHub, *args: str) -> tuple[int, str]:
    code = cli.main([*args, "--api-url", fake.url])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out + err


def everything_on_the_fake(fake: FakeGitHub) -> Iterator[str]:
    """Every issue title, body and comment of every repository, as the API gives them."""
    transport = transport_for(fake, TOKEN)
    for name in fake.repo_names():
        for issue in transport.get(f"/repos/{name}/issues", {"state": "all"}).data:
            yield str(issue.get("title"))
            yield str(issue.get("body"))
            for comment in transport.get(f"/repos/{name}/issues/{issue['number']}/comments").data:
                yield str(comment.get("body"))


def files_under(root: Path) -> Iterator[str]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path.read_text(encoding="utf-8", errors="replace")


def test_no_token_and_no_secret_anywhere(
    fake: FakeGitHub,
    leaked: tuple[str, int, str],
    workspace: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, number, secret = leaked
    outputs: list[str] = []
    for fmt in ("text", "json", "csv"):
        code, text = run(capsys, fake, "alerts", "--source", "github:acme", "--format", fmt)
        assert code == 0, text
        outputs.append(text)
    assert f"secret-scanning:{repo}:{number}" in outputs[1]
    for fmt in ("text", "markdown", "json"):
        code, text = run(capsys, fake, "plan", "--format", fmt)
        assert code == 2, text  # changes: the issue to open
        outputs.append(text)
    code, text = run(capsys, fake, "apply")
    assert code == 0, text
    outputs.append(text)
    code, text = run(capsys, fake, "apply")  # the second run: nothing to do
    assert code == 0, text
    outputs.append(text)

    on_fake = list(everything_on_the_fake(fake))
    assert any(f"Secret scanning alert #{number}" in body for body in on_fake)
    summary = (workspace.parent / "step-summary.md").read_text(encoding="utf-8")
    assert "campaign-sync plan" in summary
    written = list(files_under(workspace))
    assert any("secret-scanning:" in text for text in written)  # the ledger is there
    requests = [entry["path"] for entry in fake.requests()]
    assert any("hide_secret=true" in path for path in requests if "secret-scanning" in path)

    for where, texts in {
        "stdout/stderr": outputs,
        "step summary": [summary],
        "files under the repository": written,
        "issues and comments": on_fake,
        "request paths": requests,
    }.items():
        for text in texts:
            assert TOKEN not in text, where
            assert TOKEN[4:] not in text, where
            assert secret not in text, where


def test_a_revoked_or_unknown_token_is_not_in_the_error(
    fake: FakeGitHub,
    leaked: tuple[str, int, str],
    workspace: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake.revoke_token(TOKEN)
    for command in (["alerts", "--source", "github:acme"], ["plan"], ["apply"]):
        code, text = run(capsys, fake, *command)
        assert code == 1, text
        assert text.startswith("error: "), text
        assert "401" in text or "credentials" in text.lower(), text
        assert TOKEN not in text
        assert TOKEN[4:] not in text
        assert TOKEN[-8:] not in text
    never = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    monkeypatch.setenv("GITHUB_TOKEN", never)
    code, text = run(capsys, fake, "alerts", "--source", "github:acme")
    assert code == 1
    assert never not in text
    assert never[4:] not in text


def test_apply_commit_commits_no_token_and_no_secret(
    fake: FakeGitHub,
    leaked: tuple[str, int, str],
    workspace: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    options = {param.name for param in cli.apply.params}
    if "commit" not in options:
        pytest.skip("campaign-sync apply has no --commit yet")
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=workspace, check=True, capture_output=True, text=True
        ).stdout

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "campaigns")
    push = ["--no-push"] if "no_push" in options or "push" in options else []
    code, text = run(capsys, fake, "apply", "--commit", *push)
    assert code == 0, text
    history = git("log", "-p", "--all", "--format=%H %an %ae%n%B")
    assert "ledger" in history
    assert TOKEN not in history
    assert leaked[2] not in history


def test_a_campaign_for_every_secret_gets_the_generic_patterns_too(
    fake: FakeGitHub,
    leaked: tuple[str, int, str],
    workspace: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """GitHub lists generic patterns (passwords, private keys) only when `secret_type`
    names them; a campaign over every secret scanning alert still counts them, and one
    whose `secret-types` names `password` gets exactly those."""
    repo = leaked[0]
    fake.add_alert(repo, "secret-scanning", secret_type="password", validity="unknown")
    fake.add_alert(repo, "secret-scanning", secret_type="rsa_private_key", validity="unknown")
    passwords = CAMPAIGN.format(repo=repo).replace(
        "alerts: [secret-scanning]", "alerts: [secret-scanning]\n  secret-types: [password]"
    )
    (workspace / "campaigns" / "passwords.yml").write_text(passwords, encoding="utf-8")
    code, text = run(capsys, fake, "plan", "--format", "json")
    assert code == 2, text
    members = {c["campaign"]: c["members"] for c in json.loads(text)["campaigns"]}
    in_repo = sum(1 for a in fake.state.require_repo(repo).secret_alerts)
    assert sum(members["leaked"].values()) == in_repo  # the PAT and the generic two
    assert members["passwords"]["open"] == sum(members["passwords"].values()) == 1
