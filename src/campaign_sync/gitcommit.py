"""Commit the reports and the ledger back to the campaigns repository, and push them.

``apply --commit`` ends here. The commit holds everything under the reports folder and
nothing else: it is made with a pathspec (``git commit --only -- reports``), so a user's
other changes, staged or not, stay exactly as they were. It is authored by a bot identity,
its message says what changed per campaign, and a run that changed no report makes no
commit. A push that the remote rejects because the branch moved is fetched, rebased and
retried a bounded number of times; a rebase that conflicts is aborted, so this run's commit
stays on the local branch and the error says how to recover.

This is an I/O edge: it runs the ``git`` executable (what CI already has, and what users
debug with), never a library. ``commit_message`` is the one pure function.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from campaign_sync.errors import CampaignSyncError, ConfigError
from campaign_sync.files import write_if_changed
from campaign_sync.ledger import MEMBERS_FILE, STATE_FILE, read_ledger
from campaign_sync.model import CampaignLedger

IDENTITY_ENV = "CAMPAIGN_SYNC_COMMIT_AUTHOR"
DEFAULT_IDENTITY = "campaign-sync[bot] <campaign-sync[bot]@users.noreply.github.com>"
PUSH_ATTEMPTS = 5
BACKOFF_SECONDS = 1.0  # doubled after each rejected push: 1, 2, 4, 8 s
# A network operation that takes longer than this is stuck (a dead connection, a prompt
# nobody answers): failing beats holding a CI job until its own timeout.
NETWORK_TIMEOUT_SECONDS = 600.0

# How many alerts changed, by what happened to them, in the order the message lists them.
_CHANGE_ORDER = ("fixed", "resolved", "dismissed", "reopened", "new", "left")


class GitError(CampaignSyncError):
    """Committing or pushing the reports failed; the message says what to do."""


class NotARepository(GitError):
    """--commit was asked for outside a git working tree."""


class DetachedHead(GitError):
    """HEAD is not a branch, so a commit would be lost."""


class NoUpstream(GitError):
    """The branch has no upstream to push to."""


class PushRejected(GitError):
    """The remote kept rejecting the push after every retry, or refused it outright."""


class RebaseConflict(GitError):
    """The remote's new commits conflict with this run's reports; nothing was lost."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the commit is by: both author and committer."""

    name: str
    email: str

    @classmethod
    def parse(cls, text: str, source: str = IDENTITY_ENV) -> Identity:
        found = re.fullmatch(r"\s*([^<>\n]*?)\s*<([^<>\s]+)>\s*", text)
        if found is None or not found.group(1):
            raise ConfigError(
                f"{source} must look like 'Name <email>', e.g. '{DEFAULT_IDENTITY}' (got {text!r})"
            )
        return cls(found.group(1), found.group(2))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Identity:
        value = environ.get(IDENTITY_ENV, "").strip()
        return cls.parse(value) if value else cls.parse(DEFAULT_IDENTITY, "default")

    def env(self) -> dict[str, str]:
        # The environment beats `-c user.name`: GIT_AUTHOR_* set by a user or a CI step
        # would otherwise put their name on the bot's commit.
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
        }


@dataclass(frozen=True, slots=True)
class GitTarget:
    """Where the commit goes: a working tree, its branch, and the upstream it pushes to."""

    toplevel: Path
    branch: str
    remote: str | None = None  # None: commit only (--no-push)
    merge: str | None = None  # the upstream branch's ref, e.g. refs/heads/main

    @property
    def upstream(self) -> str:
        """For messages: ``origin/main``."""
        branch = (self.merge or "").removeprefix("refs/heads/")
        return redact(f"{self.remote}/{branch}")

    @property
    def upstream_branch(self) -> str:
        return (self.merge or "").removeprefix("refs/heads/")


@dataclass(frozen=True, slots=True)
class CommitResult:
    commit: str | None  # None: no report changed, nothing committed
    message: str = ""
    pushed: bool = False
    push_attempts: int = 0
    # The remote already had the very same reports (pushed by someone else first): the
    # rebase dropped this run's commit as empty.
    already_upstream: bool = False

    def describe(self, target: GitTarget) -> str:
        """One line for the terminal."""
        subject = self.message.split("\n", 1)[0]
        if self.already_upstream:
            return f"{target.upstream} already has these reports: nothing left to push"
        if self.commit is None:
            done = "reports unchanged: nothing to commit"
            return done + (f"; pushed earlier commits to {target.upstream}" if self.pushed else "")
        where = f"committed {self.commit[:12]} on {target.branch} ({subject})"
        if not self.pushed:
            return where + ", not pushed"
        retries = f" after {self.push_attempts} attempts" if self.push_attempts > 1 else ""
        return where + f", pushed to {target.upstream}{retries}"


def redact(text: str) -> str:
    """Hide credentials a remote URL or git's output may carry (``https://x:TOKEN@host``)."""
    text = re.sub(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@", r"\1***@", text)
    return re.sub(r"\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,})", "***", text)


# ---- the message: pure ---------------------------------------------------------------


def campaign_changes(previous: CampaignLedger | None, current: CampaignLedger) -> Counter[str]:
    """How many member alerts were fixed, dismissed, reopened, joined, left."""
    before = previous.member_map() if previous is not None else {}
    after = current.member_map()
    changes: Counter[str] = Counter()
    for alert_id, member in after.items():
        old = before.get(alert_id)
        if old is None:
            changes["new"] += 1
        elif old.state != member.state:
            changes["reopened" if member.state == "open" else member.state] += 1
    changes["left"] += sum(1 for alert_id in before if alert_id not in after)
    return +changes  # drops zero counts


def _counts(changes: Counter[str]) -> list[str]:
    return [f"{changes[kind]} {kind}" for kind in _CHANGE_ORDER if changes[kind]]


def campaign_line(
    campaign: str, previous: CampaignLedger | None, current: CampaignLedger | None
) -> str:
    """``sql-injection: 12 fixed, 3 new, 120 of 400 open``."""
    if current is None:  # its files changed, but this run has no ledger for it
        return f"{campaign}: reports updated"
    still_open = sum(1 for m in current.members if m.state == "open")
    parts = [*_counts(campaign_changes(previous, current))]
    parts.append(f"{still_open} of {len(current.members)} open")
    return f"{campaign}: " + ", ".join(parts)


def commit_message(
    previous: Mapping[str, CampaignLedger],
    current: Mapping[str, CampaignLedger],
    changed: Collection[str],
    *,
    run_url: str | None = None,
) -> str:
    """The commit message for the campaigns whose report files changed.

    ``previous`` are the ledgers the run started from, ``current`` the ones it wrote (a
    campaign missing from ``current`` kept its ledger: ``previous`` stands for both).
    One campaign: one line. Several: a short summary line, then one line each.
    """
    campaigns = sorted(changed)
    lines = [campaign_line(c, previous.get(c), current.get(c, previous.get(c))) for c in campaigns]
    if not lines:
        subject = "reports: index updated"
    elif len(lines) == 1:
        subject = lines[0]
    else:
        total: Counter[str] = Counter()
        for c in campaigns:
            now = current.get(c, previous.get(c))
            if now is not None:
                total += campaign_changes(previous.get(c), now)
        subject = f"{len(campaigns)} campaigns: " + (", ".join(_counts(total)) or "reports updated")
    message = subject
    if len(lines) > 1:
        message += "\n\n" + "\n".join(lines)
    if run_url:
        message += f"\n\nRun: {run_url}"
    return message + "\n"


def run_url_from_env(environ: Mapping[str, str]) -> str | None:
    """The GitHub Actions run that makes the commit, so an auditor can open its log."""
    server, repository, run = (
        environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    if not (server and repository and run):
        return None
    return redact(f"{server.rstrip('/')}/{repository}/actions/runs/{run}")


# ---- git -----------------------------------------------------------------------------


def _git(
    cwd: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        # Output we parse is stable in the C locale; a prompt for a password would hang CI.
        "LC_ALL": "C",
        "GIT_TERMINAL_PROMPT": "0",
        **(env or {}),
    }
    try:
        return subprocess.run(
            # Literal pathspecs: a reports folder named like a glob means itself.
            ["git", "--literal-pathspecs", *args],
            cwd=cwd,
            env=environment,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        if not cwd.is_dir():
            raise NotARepository(f"{cwd} is not a folder") from None
        raise GitError("git is not installed or not on PATH; --commit needs it") from None
    except subprocess.TimeoutExpired:
        raise GitError(
            f"`git {args[0]}` did not finish within {timeout:.0f} s: is the remote reachable?"
        ) from None


def _check(result: subprocess.CompletedProcess[str], what: str) -> str:
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise GitError(f"{what} failed: {redact(detail)}" if detail else f"{what} failed")
    return result.stdout


def _config(cwd: Path, key: str) -> str | None:
    result = _git(cwd, "config", "--get", key)
    return (result.stdout.strip() or None) if result.returncode == 0 else None


_FINISH = "finish or abort it before --commit"
_IN_PROGRESS = (
    ("rebase-merge", f"a rebase is in progress: {_FINISH}"),
    ("rebase-apply", f"a rebase is in progress: {_FINISH}"),
    ("MERGE_HEAD", f"a merge is in progress: {_FINISH}"),
    ("CHERRY_PICK_HEAD", f"a cherry-pick is in progress: {_FINISH}"),
    ("REVERT_HEAD", f"a revert is in progress: {_FINISH}"),
    # Left by a git killed mid-command (a runner that keeps its working tree); found here,
    # not when committing after every GitHub write.
    (
        "index.lock",
        "index.lock exists: another git command is running, or one was killed and left it. "
        "Wait for it, or remove the lock if none is running, before --commit",
    ),
)


def _operation_in_progress(toplevel: Path) -> str | None:
    asked = [arg for marker, _ in _IN_PROGRESS for arg in ("--git-path", marker)]
    paths = _check(_git(toplevel, "rev-parse", *asked), "git rev-parse").splitlines()
    for path, (_, operation) in zip(paths, _IN_PROGRESS, strict=True):
        if (toplevel / path).exists():  # relative to toplevel, or absolute in a worktree
            return operation
    return None


def find_target(root: Path, *, push: bool, identity: Identity) -> GitTarget:
    """Check that the reports can be committed (and pushed) from ``root``, before apply
    writes anything to GitHub: a run that cannot commit should fail while nothing changed."""
    found = _git(root, "rev-parse", "--show-toplevel")
    if found.returncode != 0:
        raise NotARepository(
            f"{root} is not inside a git working tree: --commit commits the reports to the "
            "campaigns repository's history. Run it in a clone of that repository, or drop "
            "--commit"
        )
    toplevel = Path(found.stdout.strip())
    branch = _git(toplevel, "symbolic-ref", "--quiet", "--short", "HEAD")
    if branch.returncode != 0:
        raise DetachedHead(
            "HEAD is detached (actions/checkout does this for pull requests and tags), so a "
            "commit would belong to no branch. Check out the branch the reports belong on, "
            "e.g. `git switch main`, or run on a push, schedule or workflow_dispatch event"
        )
    name = branch.stdout.strip()
    if _git(toplevel, "rev-parse", "--quiet", "--verify", "HEAD^{commit}").returncode != 0:
        raise GitError(f"branch {name} has no commit yet: commit the campaigns first")
    operation = _operation_in_progress(toplevel)
    if operation is not None:
        raise GitError(f"in {toplevel}, {operation}")
    if not push:
        return GitTarget(toplevel, name)
    remote = _config(toplevel, f"branch.{name}.remote")
    merge = _config(toplevel, f"branch.{name}.merge")
    if remote is None or merge is None:
        raise NoUpstream(
            f"branch {name} has no upstream to push the reports to: set one with "
            f"`git branch --set-upstream-to=origin/{name}`, or pass --no-push to commit only"
        )
    target = GitTarget(toplevel, name, remote, merge)
    _refuse_foreign_unpushed(target, identity)
    return target


def _refuse_foreign_unpushed(target: GitTarget, identity: Identity) -> None:
    # Pushing the branch publishes every local commit on it. Ours (a --no-push run's) may
    # go; someone's unpushed work may not ride along with a bot commit.
    ahead = _git(target.toplevel, "log", "--format=%ae", "@{upstream}..HEAD")
    if ahead.returncode != 0:  # no remote-tracking ref yet: nothing known to be ahead
        return
    foreign = [email for email in ahead.stdout.split() if email != identity.email]
    if foreign:
        raise GitError(
            f"branch {target.branch} has {len(foreign)} commit(s) not on {target.upstream} "
            "that campaign-sync did not make; pushing the reports would publish them too. "
            "Push or move them first, or pass --no-push to commit the reports only"
        )


def _reports_pathspec(target: GitTarget, reports: Path) -> str:
    top = target.toplevel.resolve()
    folder = reports.resolve()
    if folder == top or top not in folder.parents:
        raise ConfigError(
            f"the reports folder {reports} must be a folder inside the repository {top}, "
            "not the repository itself: --commit commits only that folder"
        )
    return folder.relative_to(top).as_posix()


def _changed_campaigns(paths: list[str], pathspec: str) -> set[str]:
    campaigns = set()
    for path in paths:
        parts = Path(path).relative_to(pathspec).parts
        if len(parts) > 1:  # reports/<campaign>/...; files directly in reports/ are the index
            campaigns.add(parts[0])
    return campaigns


def commit_reports(
    target: GitTarget,
    reports: Path,
    message_for: Callable[[Collection[str]], str],
    identity: Identity,
) -> tuple[str, str] | None:
    """Commit every change under ``reports`` and nothing else; return (sha, message), or
    None when no report file changed. ``message_for`` gets the campaigns whose files did."""
    pathspec = _reports_pathspec(target, reports)
    top = target.toplevel
    if not reports.is_dir() and not _check(_git(top, "ls-files", "--", pathspec), "git ls-files"):
        return None  # no reports written, none tracked: `git add` would call that an error
    _check(_git(top, "add", "--all", "--", pathspec), "git add")
    staged = _check(
        _git(top, "diff", "--cached", "--name-only", "-z", "HEAD", "--", pathspec), "git diff"
    )
    paths = [p for p in staged.split("\0") if p]
    if not paths:
        return None
    message = message_for(_changed_campaigns(paths, pathspec))
    _check(
        _git(
            top,
            # The bot's commit is not signed with whatever key the user configured, and
            # commit hooks (formatters, validators) must not alter generated reports.
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--no-verify",
            "--quiet",
            "--cleanup=whitespace",
            "--file=-",
            "--only",
            "--",
            pathspec,
            env=identity.env(),
            stdin=message,
        ),
        "git commit",
    )
    sha = _check(_git(top, "rev-parse", "HEAD"), "git rev-parse").strip()
    return sha, message


def _ahead_of_upstream(target: GitTarget) -> bool:
    counted = _git(target.toplevel, "rev-list", "--count", "@{upstream}..HEAD")
    # Without a remote-tracking ref we cannot tell: pushing costs one round trip.
    return counted.returncode != 0 or counted.stdout.strip() != "0"


def _upstream_of(target: GitTarget) -> tuple[str, str]:
    if target.remote is None or target.merge is None:
        raise NoUpstream(f"branch {target.branch} has no upstream to push to")
    return target.remote, target.merge


def _push_once(target: GitTarget) -> bool:
    """Push; True when it landed, False when rejected because the branch moved."""
    remote, merge = _upstream_of(target)
    result = _git(
        target.toplevel,
        "push",
        "--porcelain",
        "--no-verify",
        remote,
        f"HEAD:{merge}",
        timeout=NETWORK_TIMEOUT_SECONDS,
    )
    if result.returncode == 0:
        return True
    for line in result.stdout.splitlines():
        flag, _, rest = line.partition("\t")
        if flag != "!":
            continue
        summary = rest.partition("\t")[2]
        if summary.startswith("[rejected]"):  # fetch first, non-fast-forward, stale info
            return False
        raise PushRejected(
            f"{target.upstream} refused the push: {redact(summary)}. Branch protection may "
            "require pull requests or signed commits: let the token or App that runs "
            "campaign-sync bypass it for this branch, or push the reports to another branch"
        )
    detail = redact((result.stderr or result.stdout).strip())
    raise GitError(
        f"could not push to {target.upstream}: {detail}. The token needs permission to write "
        "the repository's contents (`permissions: contents: write` in the workflow)"
    )


def _fetch_and_rebase(target: GitTarget, identity: Identity) -> bool:
    """Rebase the local commits onto the remote's branch; False when nothing is left to
    push (the remote already had the same changes, so the rebase dropped them)."""
    remote, merge = _upstream_of(target)
    top = target.toplevel
    local = _check(_git(top, "rev-parse", "--short=12", "HEAD"), "git rev-parse").strip()
    _check(
        _git(
            top,
            "fetch",
            "--no-tags",
            "--no-recurse-submodules",
            remote,
            merge,
            timeout=NETWORK_TIMEOUT_SECONDS,
        ),
        f"git fetch {target.upstream}",
    )
    upstream = _check(_git(top, "rev-parse", "FETCH_HEAD"), "git rev-parse").strip()
    if _check(_git(top, "status", "--porcelain", "--untracked-files=no"), "git status").strip():
        raise PushRejected(
            f"{target.upstream} has new commits, and the working tree has other uncommitted "
            "changes, so campaign-sync did not rebase over them. Nothing is lost: the reports "
            f"commit {local} stays on the local branch {target.branch}. To publish it: "
            f"`git stash && git pull --rebase && git push && git stash pop`"
        )
    rebase = _git(
        top,
        # A user's rebase settings must not stash their work or move their other branches.
        "-c",
        "rebase.autoStash=false",
        "-c",
        "rebase.updateRefs=false",
        "-c",
        "commit.gpgsign=false",
        "rebase",
        "--no-verify",
        upstream,
        env=identity.env(),
    )
    if rebase.returncode == 0:
        return _check(_git(top, "rev-parse", "HEAD"), "git rev-parse").strip() != upstream
    if _operation_in_progress(top) is None:  # it never started (e.g. an untracked file)
        raise GitError(
            f"could not rebase the reports commit {local} onto {target.upstream}: "
            f"{redact(rebase.stderr.strip())}. Nothing is lost: it stays on the local branch "
            f"{target.branch}"
        )
    conflicts = _git(top, "diff", "--name-only", "--diff-filter=U", "-z").stdout.split("\0")
    _check(_git(top, "rebase", "--abort"), "git rebase --abort")
    files = ", ".join(sorted(p for p in conflicts if p)) or "the reports"
    branch = target.upstream_branch
    raise RebaseConflict(
        f"could not push the reports: {target.upstream} has new commits that change the same "
        f"lines as this run ({files}). The rebase was aborted and nothing is lost: this run's "
        f"commit {local} stays on the local branch {target.branch}. Reports are generated, so "
        "such a change is usually a hand edit (two reconciles cannot overlap in the workflow's "
        "concurrency group). To keep this run's reports over it: "
        f"`git pull --rebase -X theirs {remote} {branch} && git push`. To drop them "
        f"instead: `git reset --keep {remote}/{branch}` and run `campaign-sync apply "
        "--commit` again (it finds its tracking issues again; no duplicates). In CI, rerun the "
        "workflow after reverting the hand edit"
    )


def push_with_retries(
    target: GitTarget,
    identity: Identity,
    *,
    attempts: int = PUSH_ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, bool]:
    """Push; on a rejection fetch, rebase and try again, up to ``attempts`` pushes in all.

    Returns the number of pushes made and whether the local commits landed (False: the
    remote already had the same changes, and the rebase left nothing to push).
    """
    for attempt in range(1, attempts + 1):
        if _push_once(target):
            return attempt, True
        if attempt < attempts:
            sleep(backoff * 2 ** (attempt - 1))
            if not _fetch_and_rebase(target, identity):
                return attempt, False
    local = _check(_git(target.toplevel, "rev-parse", "--short=12", "HEAD"), "git rev-parse")
    raise PushRejected(
        f"{target.upstream} rejected the push {attempts} times: the branch kept moving while "
        "campaign-sync rebased onto it (another job pushing to it?). Nothing is lost: the "
        f"reports commit {local.strip()} stays on the local branch {target.branch}; run "
        "`git pull --rebase && git push`, or rerun the workflow"
    )


def committed_ledgers(
    target: GitTarget, reports: Path, campaigns: Collection[str], revision: str = "HEAD"
) -> dict[str, CampaignLedger]:
    """The campaigns' ledgers as the branch's last commit (or ``revision``) has them (empty
    where it has none): what a commit message must count from, whatever uncommitted runs
    wrote since."""
    pathspec = _reports_pathspec(target, reports)
    found: dict[str, CampaignLedger] = {}
    with tempfile.TemporaryDirectory(prefix="campaign-sync-head-") as scratch:
        folder = Path(scratch)
        for campaign in campaigns:
            for name in (MEMBERS_FILE, STATE_FILE):
                shown = _git(target.toplevel, "show", f"{revision}:{pathspec}/{campaign}/{name}")
                if shown.returncode == 0:
                    write_if_changed(folder / campaign / name, shown.stdout, root=folder)
            found[campaign] = read_ledger(folder, campaign)
    return found


def commit_and_push(
    target: GitTarget,
    reports: Path,
    previous: Mapping[str, CampaignLedger] | None,
    current: Mapping[str, CampaignLedger],
    *,
    identity: Identity,
    run_url: str | None = None,
    attempts: int = PUSH_ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> CommitResult:
    """Commit the reports (if any changed) and push the branch (if ``target`` has an
    upstream and there is anything to push). ``previous`` None: the message counts from
    the ledgers of the last commit."""

    def message_for(changed: Collection[str]) -> str:
        before = previous if previous is not None else committed_ledgers(target, reports, changed)
        return commit_message(before, current, changed, run_url=run_url)

    made = commit_reports(target, reports, message_for, identity)
    sha, message = made if made is not None else (None, "")
    if target.remote is None or (made is None and not _ahead_of_upstream(target)):
        return CommitResult(sha, message)
    pushes, landed = push_with_retries(
        target, identity, attempts=attempts, backoff=backoff, sleep=sleep
    )
    if not landed:  # someone pushed the very same reports first: our commit is redundant
        return CommitResult(None, message, push_attempts=pushes, already_upstream=True)
    if sha is not None:  # a rebase gave it a new id
        sha = _check(_git(target.toplevel, "rev-parse", "HEAD"), "git rev-parse").strip()
    return CommitResult(sha, message, pushed=True, push_attempts=pushes)
