"""Deliver the reports commit of ``apply --commit`` the way ``campaign-sync.yml`` says, and
never lose it.

``delivery.mode`` (``config/repo_config.py``):

- ``push``: commit on the checked-out branch and push it (``gitcommit``), by an identity a
  ruleset lets through.
- ``branch``: commit on top of ``delivery.branch`` (created from the checked-out branch
  when missing) and push that branch only. The checked-out branch is never written: its
  working tree keeps the reports as written.
- ``pull-request``: as ``branch``, then the one open pull request from it into the
  checked-out branch, found or opened (and its auto-merge turned on). Once its reports
  are merged, the next run starts the branch again from the default branch.
- ``api``: commit on the checked-out branch locally, then send the same file changes to
  GitHub's ``createCommitOnBranch`` as the App (signed and verified by GitHub), with the
  remote tip it was computed against as ``expectedHeadOid``; the local branch then takes
  GitHub's commit.

**Nothing is lost.** Before the run plans, ``prepare`` reads what earlier runs wrote and
did not deliver: the reports branch (``branch``, ``pull-request``), the local ref
``refs/campaign-sync/pending`` and the remote branch ``campaign-sync/pending``. Their
reports folder is merged (three-way, with git) into the working tree, so the plan starts
from the newest ledger and this run's commit carries both runs' changes. When a delivery
fails, its commit is kept on ``refs/campaign-sync/pending`` and, where the remote takes
it, pushed to ``campaign-sync/pending`` (a CI runner's checkout does not outlive the
job); the error says so. A delivered run deletes both.

A recovered commit is data written by someone who could push a branch: it is taken only
when everything it changes since it left the default branch lies in the reports folder.

This is an I/O edge: ``git`` for the repository, ``github/delivery.py`` for the API.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from github import Auth

from campaign_sync.config.loader import load_campaigns
from campaign_sync.config.repo_config import DeliveryConfig
from campaign_sync.errors import ConfigError, GitHubError
from campaign_sync.gitcommit import (
    BACKOFF_SECONDS,
    NETWORK_TIMEOUT_SECONDS,
    PUSH_ATTEMPTS,
    CommitResult,
    GitError,
    GitTarget,
    Identity,
    _changed_campaigns,
    _check,
    _fetch_and_rebase,
    _git,
    _reports_pathspec,
    commit_and_push,
    commit_message,
    commit_reports,
    committed_ledgers,
    find_target,
    redact,
)
from campaign_sync.github import delivery as api
from campaign_sync.github.transport import Transport, notices_to_stderr
from campaign_sync.model import CampaignLedger
from campaign_sync.untrusted.markdown import escape_inline

PENDING_REF = "refs/campaign-sync/pending"
PENDING_BRANCH = "campaign-sync/pending"
_FETCHED = "refs/campaign-sync/fetched"  # what prepare fetched: scratch refs
PULL_TITLE = "campaign-sync: reports and ledger"
# A token only for the delivery's API calls (the pull request, its auto-merge, the API
# commit): a second App installed on the campaigns repository alone can hold Contents and
# Pull requests write, so the App that writes issues organization-wide never needs them.
DELIVERY_TOKEN_ENV = "CAMPAIGN_SYNC_DELIVERY_TOKEN"


class DeliveryFailed(GitError):
    """The reports could not be delivered; the message says where they were kept."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """What ``prepare`` found, for ``deliver``."""

    config: DeliveryConfig
    target: GitTarget
    repository: str | None  # owner/name, for the API modes
    branch_tip: str | None = None  # the remote reports branch (branch, pull-request)
    pending_tip: str | None = None  # the remote campaign-sync/pending branch
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Delivered:
    """What ``deliver`` did, in lines for the terminal and the job summary."""

    lines: tuple[str, ...]
    commit: str | None = None
    pull_request: api.PullRequest | None = None


# ---- git helpers ------------------------------------------------------------------------


def _rev(top: Path, revision: str) -> str | None:
    found = _git(top, "rev-parse", "--quiet", "--verify", f"{revision}^{{commit}}")
    return found.stdout.strip() if found.returncode == 0 else None


def _tree(top: Path, revision: str, pathspec: str) -> str | None:
    """The reports folder's tree id at ``revision`` (None: it has none)."""
    found = _git(top, "rev-parse", "--quiet", "--verify", f"{revision}:{pathspec}")
    return found.stdout.strip() if found.returncode == 0 else None


def _is_ancestor(top: Path, older: str, newer: str) -> bool:
    return _git(top, "merge-base", "--is-ancestor", older, newer).returncode == 0


@contextmanager
def _scratch_index(top: Path) -> Iterator[dict[str, str]]:
    """An index of our own, so the user's staging area is never touched."""
    with tempfile.TemporaryDirectory(prefix="campaign-sync-index-") as folder:
        yield {"GIT_INDEX_FILE": str(Path(folder) / "index")}


def _tree_with_reports(top: Path, base: str, pathspec: str) -> str:
    """The tree of ``base`` with the reports folder as the working tree has it."""
    with _scratch_index(top) as env:
        _check(_git(top, "read-tree", base, env=env), "git read-tree")
        _check(
            _git(
                top,
                "rm",
                "-r",
                "-f",
                "--cached",
                "--quiet",
                "--ignore-unmatch",
                "--",
                pathspec,
                env=env,
            ),
            "git rm --cached",
        )
        if (top / pathspec).exists():
            _check(_git(top, "add", "--all", "--", pathspec, env=env), "git add")
        return _check(_git(top, "write-tree", env=env), "git write-tree").strip()


def _commit_tree(
    top: Path, tree: str, parents: Collection[str], message: str, identity: Identity
) -> str:
    args = [arg for parent in parents for arg in ("-p", parent)]
    made = _git(
        top,
        "-c",
        "commit.gpgsign=false",
        "commit-tree",
        tree,
        *args,
        env=identity.env(),
        stdin=message,
    )
    return _check(made, "git commit-tree").strip()


def _ls_remote(target: GitTarget, branches: Collection[str]) -> dict[str, str]:
    """The remote's tips of these branches (those that exist)."""
    remote = target.remote or ""
    listed = _git(
        target.toplevel,
        "ls-remote",
        "--heads",
        remote,
        *(f"refs/heads/{b}" for b in branches),
        timeout=NETWORK_TIMEOUT_SECONDS,
    )
    text = _check(listed, f"git ls-remote {redact(remote)}")
    tips: dict[str, str] = {}
    for line in text.splitlines():
        oid, _, ref = line.partition("\t")
        tips[ref.removeprefix("refs/heads/")] = oid
    return tips


def _fetch(target: GitTarget, branch: str, local: str) -> str:
    remote = target.remote or ""
    _check(
        _git(
            target.toplevel,
            "fetch",
            "--no-tags",
            "--no-recurse-submodules",
            remote,
            f"+refs/heads/{branch}:{local}",
            timeout=NETWORK_TIMEOUT_SECONDS,
        ),
        f"git fetch {redact(remote)} {branch}",
    )
    return _check(_git(target.toplevel, "rev-parse", local), "git rev-parse").strip()


# ---- which repository -------------------------------------------------------------------

_REMOTE_URL = re.compile(r"(?:[:/])([A-Za-z0-9][A-Za-z0-9-]{0,38})/([A-Za-z0-9._-]+?)(?:\.git)?/?$")


def repository_of(target: GitTarget, environ: Mapping[str, str]) -> str:
    """The campaigns repository's owner/name: ``GITHUB_REPOSITORY`` (set by Actions), else
    the remote's URL."""
    named = environ.get("GITHUB_REPOSITORY", "").strip()
    if named:
        return named
    url = ""
    if target.remote is not None:
        url = _git(target.toplevel, "remote", "get-url", target.remote).stdout.strip()
    found = _REMOTE_URL.search(url)
    if found is None:
        raise ConfigError(
            f"`delivery: api` and `delivery: pull-request` need the campaigns repository's "
            f"owner/name, and the remote URL {redact(url)!r} does not say it: set "
            "GITHUB_REPOSITORY=OWNER/NAME (GitHub Actions sets it)"
        )
    return f"{found.group(1)}/{found.group(2)}"


# ---- before the run: recover what earlier runs did not deliver -----------------------------


def preflight(
    root: Path, *, push: bool, identity: Identity, today: date, environ: Mapping[str, str]
) -> Delivery:
    """Before apply writes anything: the target can be committed to (``find_target``), the
    config's delivery can be made, and what earlier runs left undelivered is back in the
    working tree."""
    target = find_target(root, push=push, identity=identity)
    config, _ = load_campaigns(root, today=today)
    return prepare(
        target, config.delivery, root / config.reports_dir, identity=identity, environ=environ
    )


def prepare(
    target: GitTarget,
    config: DeliveryConfig,
    reports: Path,
    *,
    identity: Identity,
    environ: Mapping[str, str],
) -> Delivery:
    """Check the delivery can be made, and bring the reports earlier runs did not deliver
    (and, for the branch modes, the reports branch) into the working tree."""
    top = target.toplevel
    pathspec = _reports_pathspec(target, reports)
    if config.to_branch and target.remote is None:
        raise ConfigError(
            f"--no-push commits on the checked-out branch, and `delivery: {config.mode}` "
            "never does: drop --no-push, or set `delivery: push` or `api`"
        )
    if config.to_branch:
        if config.branch == target.upstream_branch or config.branch == target.branch:
            raise ConfigError(
                f"delivery.branch is {config.branch!r}, the branch apply runs on: with "
                f"`delivery: {config.mode}` the reports go to a branch of their own"
            )
        if _git(top, "check-ref-format", f"refs/heads/{config.branch}").returncode != 0:
            raise ConfigError(f"delivery.branch {config.branch!r} is not a valid branch name")
    repository = repository_of(target, environ) if config.mode in ("api", "pull-request") else None
    notes: list[str] = []
    branch_tip = pending_tip = None
    if target.remote is not None:
        wanted = [config.branch] if config.to_branch else []
        tips = _ls_remote(target, [*wanted, PENDING_BRANCH])
        if config.to_branch and config.branch in tips:
            branch_tip = _fetch(target, config.branch, f"{_FETCHED}/branch")
            _recover(target, pathspec, branch_tip, identity, f"branch {config.branch}")
        if PENDING_BRANCH in tips:
            pending_tip = _fetch(target, PENDING_BRANCH, f"{_FETCHED}/pending")
            note = _recover(target, pathspec, pending_tip, identity, f"branch {PENDING_BRANCH}")
            notes.extend([note] if note else [])
    local = _rev(top, PENDING_REF)
    if local is not None:
        note = _recover(target, pathspec, local, identity, f"the local ref {PENDING_REF}")
        notes.extend([note] if note else [])
    return Delivery(config, target, repository, branch_tip, pending_tip, tuple(notes))


def _recover(
    target: GitTarget, pathspec: str, commit: str, identity: Identity, where: str
) -> str | None:
    """Merge the reports folder of ``commit`` into the working tree, unless it has nothing
    the working tree lacks. A note for the terminal, or None."""
    top = target.toplevel
    head = _check(_git(top, "rev-parse", "HEAD"), "git rev-parse").strip()
    if _is_ancestor(top, commit, head):
        return None
    ours = _tree_with_reports(top, head, pathspec)
    if _tree(top, commit, pathspec) == _tree(top, ours, pathspec):
        return None
    base = _git(top, "merge-base", head, commit)
    if base.returncode != 0:
        raise DeliveryFailed(
            f"{where} shares no history with {target.branch}: campaign-sync did not take its "
            f"reports. Delete it if it is not campaign-sync's (`git push {target.remote} "
            f"--delete {where.removeprefix('branch ')}`)"
        )
    changed = _check(
        _git(top, "diff", "--name-only", "--no-renames", "-z", base.stdout.strip(), commit),
        "git diff",
    )
    outside = sorted(p for p in changed.split("\0") if p and not p.startswith(pathspec + "/"))
    if outside:
        more = f" and {len(outside) - 5} more" if len(outside) > 5 else ""
        shown = ", ".join(outside[:5]) + more
        raise DeliveryFailed(
            f"{where} ({commit[:12]}) changes files outside {pathspec}/ ({shown}): "
            "campaign-sync takes from it only commits of reports. Nothing was written; "
            "remove that branch or those commits, then run again"
        )
    working = _commit_tree(top, ours, [head], "working tree\n", identity)
    merged = _git(top, "merge-tree", "--write-tree", "--no-messages", working, commit)
    if merged.returncode != 0:
        raise DeliveryFailed(
            f"the reports on {where} ({commit[:12]}) conflict with those of {target.branch}, "
            "probably a hand edit of a generated report. Nothing was written and nothing is "
            f"lost. Resolve it by hand: `git merge {commit[:12]}` (keeping one side of "
            f"{pathspec}/), push, and run again"
        )
    tree = merged.stdout.split()[0]
    _check(
        _git(top, "restore", f"--source={tree}", "--worktree", "--", pathspec),
        "git restore",
    )
    subject = _git(top, "log", "-1", "--format=%s", commit).stdout.strip()
    return (
        f"recovered the undelivered reports of an earlier run from {where} "
        f"({commit[:12]}: {subject}); this run delivers them too"
    )


# ---- after the run: deliver --------------------------------------------------------------


def deliver(
    delivery: Delivery,
    reports: Path,
    current: Mapping[str, CampaignLedger],
    *,
    identity: Identity,
    transport: Transport | None,
    run_url: str | None = None,
    attempts: int = PUSH_ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    environ: Mapping[str, str] | None = None,
) -> Delivered:
    """Commit the reports and deliver them; DeliveryFailed (the commit kept) when that
    fails. API calls use ``CAMPAIGN_SYNC_DELIVERY_TOKEN`` when it is set, else
    ``transport``'s credentials."""
    mode = delivery.config.mode
    target = delivery.target
    transport = delivery_transport(transport, os.environ if environ is None else environ)
    if mode == "push":
        try:
            result = commit_and_push(
                target,
                reports,
                None,
                current,
                identity=identity,
                run_url=run_url,
                attempts=attempts,
                backoff=backoff,
                sleep=sleep,
            )
        except GitError as error:
            raise _kept(delivery, _head(target), error) from error
        # Delivered, or (--no-push) on the local branch that the next push takes along.
        _clear_pending(delivery)
        return Delivered((result.describe(target),), result.commit)
    if mode == "api":
        return _deliver_api(
            delivery, reports, current, identity, transport, run_url, attempts, backoff, sleep
        )
    return _deliver_to_branch(delivery, reports, current, identity, transport, run_url)


def delivery_transport(transport: Transport | None, environ: Mapping[str, str]) -> Transport | None:
    token = environ.get(DELIVERY_TOKEN_ENV, "").strip()
    if not token or transport is None:
        return transport
    return Transport(auth=Auth.Token(token), api_url=transport.api_url, notices=notices_to_stderr)


def _head(target: GitTarget) -> str:
    return _check(_git(target.toplevel, "rev-parse", "HEAD"), "git rev-parse").strip()


def _kept(delivery: Delivery, commit: str, error: Exception, *, also: str = "") -> DeliveryFailed:
    """Keep ``commit`` where the next run looks, and say so."""
    target = delivery.target
    top = target.toplevel
    _check(_git(top, "update-ref", PENDING_REF, commit), "git update-ref")
    places = [f"the local ref {PENDING_REF}"]
    if target.remote is not None:
        pushed = _git(
            top,
            "push",
            "--porcelain",
            "--no-verify",
            "--force",
            target.remote,
            f"{commit}:refs/heads/{PENDING_BRANCH}",
            timeout=NETWORK_TIMEOUT_SECONDS,
        )
        if pushed.returncode == 0:
            places.append(f"the branch {PENDING_BRANCH} of {redact(target.remote)}")
        else:
            places.append(
                f"not the branch {PENDING_BRANCH} of {redact(target.remote)}, which refused it "
                "too (in CI this checkout ends with the job: rerun it once the cause is fixed)"
            )
    return DeliveryFailed(
        f"could not deliver the reports: {redact(str(error))}.{also} Nothing is lost: this "
        f"run's reports commit {commit[:12]} is kept on {' and '.join(places)}, and the next "
        "`campaign-sync apply --commit` delivers it before its own"
    )


def _clear_pending(delivery: Delivery) -> None:
    """A delivered run: the pending commits it carried are delivered too."""
    target = delivery.target
    top = target.toplevel
    if _rev(top, PENDING_REF) is not None:
        _git(top, "update-ref", "-d", PENDING_REF)
    if delivery.pending_tip is not None and target.remote is not None:
        # Only the tip this run recovered: a newer one (another run's) stays.
        _git(
            top,
            "push",
            "--porcelain",
            "--no-verify",
            f"--force-with-lease=refs/heads/{PENDING_BRANCH}:{delivery.pending_tip}",
            target.remote,
            f":refs/heads/{PENDING_BRANCH}",
            timeout=NETWORK_TIMEOUT_SECONDS,
        )


def _message_for(
    target: GitTarget,
    reports: Path,
    current: Mapping[str, CampaignLedger],
    revision: str,
    run_url: str | None,
) -> Callable[[Collection[str]], str]:
    def message_for(changed: Collection[str]) -> str:
        before = committed_ledgers(target, reports, changed, revision)
        return commit_message(before, current, changed, run_url=run_url)

    return message_for


def _campaigns_between(top: Path, old: str, new: str, pathspec: str) -> set[str]:
    names = _check(
        _git(top, "diff", "--name-only", "-z", "--no-renames", old, new, "--", pathspec),
        "git diff",
    )
    return _changed_campaigns([p for p in names.split("\0") if p], pathspec)


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stdout + result.stderr).strip().splitlines()
    return redact(lines[-1].strip()) if lines else "refused"


# ---- branch and pull-request ---------------------------------------------------------------


def _deliver_to_branch(
    delivery: Delivery,
    reports: Path,
    current: Mapping[str, CampaignLedger],
    identity: Identity,
    transport: Transport | None,
    run_url: str | None,
) -> Delivered:
    config, target = delivery.config, delivery.target
    top = target.toplevel
    pathspec = _reports_pathspec(target, reports)
    head = _head(target)
    tip = delivery.branch_tip
    parent = tip
    if parent is None or (
        config.mode == "pull-request" and _reports_merged(top, tip or head, head, pathspec)
    ):
        # A new branch, or its reports merged: start again from the default branch, so the
        # pull request shows only what is new.
        parent = head
    tree = _tree_with_reports(top, parent, pathspec)
    lines: list[str] = []
    commit = None
    if tree != _check(_git(top, "rev-parse", f"{parent}^{{tree}}"), "git rev-parse").strip():
        campaigns = _campaigns_between(top, parent, tree, pathspec)
        message = _message_for(target, reports, current, parent, run_url)(campaigns)
        commit = _commit_tree(top, tree, [parent], message, identity)
        lease = f"--force-with-lease=refs/heads/{config.branch}:{tip or ''}"
        pushed = _git(
            top,
            "push",
            "--porcelain",
            "--no-verify",
            lease,
            target.remote or "",
            f"{commit}:refs/heads/{config.branch}",
            timeout=NETWORK_TIMEOUT_SECONDS,
        )
        if pushed.returncode != 0:
            remote = redact(target.remote or "")
            why = _last_line(pushed)
            refused = GitError(f"{remote} refused the push to {config.branch}: {why}")
            raise _kept(delivery, commit, refused)
        subject = message.split("\n", 1)[0]
        lines.append(f"committed {commit[:12]} ({subject}), pushed to {config.branch}")
        tip = commit
    else:
        lines.append(f"reports unchanged: {config.branch} already has them")
    pull = None
    proposed = config.mode == "pull-request" and tip is not None
    if proposed and tip is not None and not _reports_merged(top, tip, head, pathspec):
        pull, more = _propose(delivery, transport, tip, pushed=commit is not None)
        lines.extend(more)
    _clear_pending(delivery)
    return Delivered(tuple(lines), commit, pull)


def _reports_merged(top: Path, tip: str, head: str, pathspec: str) -> bool:
    """The default branch has the branch's reports (merged, or squashed)."""
    return _is_ancestor(top, tip, head) or _tree(top, tip, pathspec) == _tree(top, head, pathspec)


def _propose(
    delivery: Delivery, transport: Transport | None, tip: str, *, pushed: bool
) -> tuple[api.PullRequest, list[str]]:
    config, target = delivery.config, delivery.target
    if transport is None or delivery.repository is None:
        raise ConfigError("`delivery: pull-request` needs GitHub credentials")
    # Commit subjects of a branch others can push to: escaped, no mention reaches anyone.
    listed = _git(target.toplevel, "log", "--format=%s", f"{_head(target)}..{tip}").stdout
    subjects = "\n".join(f"- {escape_inline(line)}" for line in listed.splitlines()[:50])
    body = (
        "The reports and the alert ledger written by `campaign-sync apply --commit`, "
        f"from the branch `{config.branch}`. Every run adds its commit here until this pull "
        "request is merged; merging it records them on "
        f"`{target.upstream_branch}`.\n\n{subjects}\n"
    )
    base = target.upstream_branch
    try:
        pull = api.ensure_pull_request(
            transport, delivery.repository, config.branch, base, title=PULL_TITLE, body=body
        )
    except GitHubError as error:
        raise DeliveryFailed(
            f"the reports are on the branch {config.branch} ({tip[:12]}), but {error}. "
            "Nothing is lost: the next `campaign-sync apply --commit` starts from that branch "
            "and opens the pull request"
        ) from error
    verb = "opened" if pull.created else "updated" if pushed else "open"
    lines = [f"pull request #{pull.number} {verb}: {pull.html_url}"]
    if config.auto_merge and not pull.auto_merge:
        try:
            state = api.enable_auto_merge(transport, pull)
        except GitHubError as error:
            raise DeliveryFailed(
                f"pull request #{pull.number} ({pull.html_url}) holds the reports, but {error}. "
                "It stays open for a person to merge"
            ) from error
        if state == "enabled":
            lines.append(
                f"auto-merge on: GitHub merges #{pull.number} once its reviews and checks pass"
            )
        else:
            lines.append(
                f"note: #{pull.number} can be merged now (nothing on {base} requires a review "
                "or a check), so GitHub has nothing to auto-merge it after: merge it, or "
                "require a review or check on the branch"
            )
    return pull, lines


# ---- api -----------------------------------------------------------------------------------


def _deliver_api(
    delivery: Delivery,
    reports: Path,
    current: Mapping[str, CampaignLedger],
    identity: Identity,
    transport: Transport | None,
    run_url: str | None,
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> Delivered:
    target = delivery.target
    pathspec = _reports_pathspec(target, reports)
    made = commit_reports(
        target, reports, _message_for(target, reports, current, "HEAD", run_url), identity
    )
    if target.remote is None:  # --no-push: the next run sends it
        result = CommitResult(made[0] if made else None, made[1] if made else "")
        return Delivered((result.describe(target),), result.commit)
    if transport is None or delivery.repository is None:
        raise ConfigError("`delivery: api` needs GitHub credentials")
    repository = delivery.repository
    try:
        return _send_api(
            delivery, pathspec, transport, repository, identity, attempts, backoff, sleep
        )
    except (GitError, GitHubError) as error:
        # Whatever failed, the commits stay on the local branch (a failed rebase aborts).
        raise _kept(delivery, _head(target), error) from error


def _send_api(
    delivery: Delivery,
    pathspec: str,
    transport: Transport,
    repository: str,
    identity: Identity,
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> Delivered:
    """Send the local commits the remote lacks as one API commit; retried when the branch
    moved meanwhile (fetched, rebased, sent again)."""
    target = delivery.target
    top = target.toplevel
    branch = target.upstream_branch
    for attempt in range(1, attempts + 1):
        upstream = _fetch(target, branch, f"{_FETCHED}/upstream")
        moved = not _is_ancestor(top, upstream, _head(target))
        if moved and not _fetch_and_rebase(target, identity):
            _clear_pending(delivery)
            return Delivered((f"{target.upstream} already has these reports: nothing to send",))
        local = _head(target)
        changes = _file_changes(top, upstream, local, pathspec)
        if changes is None:
            _reset_to(target, upstream, local)
            _clear_pending(delivery)
            return Delivered(("reports unchanged: nothing to commit",))
        additions, deletions = changes
        message = _combined_message(top, upstream, local)
        headline, _, body = message.partition("\n")
        try:
            oid = api.create_commit_on_branch(
                transport,
                repository,
                branch,
                expected_head=upstream,
                headline=headline,
                body=body.strip("\n"),
                additions=additions,
                deletions=deletions,
            )
        except api.StaleHead:
            if attempt == attempts:
                raise
            sleep(backoff * 2 ** (attempt - 1))
            continue
        if _fetch(target, branch, f"{_FETCHED}/upstream") == oid:
            # The fetch updated the remote-tracking branch too (git's opportunistic update),
            # so the next run does not take GitHub's commit for someone else's.
            _reset_to(target, oid, local)
        _clear_pending(delivery)
        retries = f" after {attempt} attempts" if attempt > 1 else ""
        return Delivered(
            (
                f"committed {oid[:12]} on {branch} through GitHub's API ({headline}), signed "
                f"by GitHub{retries}",
            ),
            oid,
        )
    raise AssertionError("unreachable")  # pragma: no cover


def _file_changes(
    top: Path, old: str, new: str, pathspec: str
) -> tuple[dict[str, bytes], list[str]] | None:
    """The reports' changes from ``old`` to ``new`` (None: none). Anything else changed is
    refused: the API commit sends only reports."""
    listed = _check(
        _git(top, "diff", "--name-status", "--no-renames", "-z", old, new), "git diff"
    ).split("\0")
    entries = [e for e in listed if e]
    additions: dict[str, bytes] = {}
    deletions: list[str] = []
    for status, path in zip(entries[0::2], entries[1::2], strict=True):
        if not path.startswith(pathspec + "/"):
            raise GitError(
                f"the local commits not yet on the remote change {path}, outside {pathspec}/: "
                "`delivery: api` sends only reports. Push or drop those commits first"
            )
        if status == "D":
            deletions.append(path)
        else:
            additions[path] = _blob(top, f"{new}:{path}")
    if not additions and not deletions:
        return None
    return additions, deletions


def _blob(top: Path, spec: str) -> bytes:
    done = subprocess.run(
        ["git", "cat-file", "blob", spec],
        cwd=top,
        capture_output=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip()
        raise GitError(f"git cat-file {spec} failed: {detail}")
    return done.stdout


def _combined_message(top: Path, old: str, new: str) -> str:
    """One commit's message as it is; several: the newest, then the others' subjects."""
    count = int(_check(_git(top, "rev-list", "--count", f"{old}..{new}"), "git rev-list").strip())
    message = _check(_git(top, "log", "-1", "--format=%B", new), "git log").strip()
    if count > 1:
        older = _check(_git(top, "log", "--format=- %s", f"{old}..{new}~1"), "git log").strip()
        message += f"\n\nAlso delivers {count - 1} earlier undelivered commit(s):\n{older}"
    return message + "\n"


def _reset_to(target: GitTarget, commit: str, local: str) -> None:
    """The local branch takes GitHub's commit when its tree is the local one (the index
    and the working tree then stay as they are)."""
    top = target.toplevel
    if _git(top, "diff", "--quiet", commit, local).returncode == 0:
        _check(_git(top, "reset", "--soft", commit), "git reset")
