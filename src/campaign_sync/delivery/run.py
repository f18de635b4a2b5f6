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

This is an I/O edge: ``git`` for the repository, ``github/delivery.py`` for the API."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from github import Auth

from campaign_sync.config.loader import load_campaigns
from campaign_sync.config.repo_config import DeliveryConfig
from campaign_sync.delivery.api_commit import (
    deliver_api,
)
from campaign_sync.delivery.branch import (
    deliver_to_branch,
)
from campaign_sync.delivery.pending import (
    clear_pending,
    keep_pending,
    recover,
)
from campaign_sync.delivery.plumbing import (
    fetch_ref,
    head_of,
    ls_remote,
    repository_of,
    rev_of,
)
from campaign_sync.delivery.values import (
    DELIVERY_TOKEN_ENV,
    FETCHED_REF,
    PENDING_BRANCH,
    PENDING_REF,
    Delivered,
    Delivery,
)
from campaign_sync.errors import ConfigError
from campaign_sync.gitcommit import (
    BACKOFF_SECONDS,
    PUSH_ATTEMPTS,
    GitError,
    GitTarget,
    Identity,
    commit_and_push,
    find_target,
)
from campaign_sync.gitcommit.commit import _reports_pathspec
from campaign_sync.gitcommit.git import _git
from campaign_sync.github.transport import Transport, notices_to_stderr
from campaign_sync.model import CampaignLedger


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
        tips = ls_remote(target, [*wanted, PENDING_BRANCH])
        if config.to_branch and config.branch in tips:
            branch_tip = fetch_ref(target, config.branch, f"{FETCHED_REF}/branch")
            recover(target, pathspec, branch_tip, identity, f"branch {config.branch}")
        if PENDING_BRANCH in tips:
            pending_tip = fetch_ref(target, PENDING_BRANCH, f"{FETCHED_REF}/pending")
            note = recover(target, pathspec, pending_tip, identity, f"branch {PENDING_BRANCH}")
            notes.extend([note] if note else [])
    local = rev_of(top, PENDING_REF)
    if local is not None:
        note = recover(target, pathspec, local, identity, f"the local ref {PENDING_REF}")
        notes.extend([note] if note else [])
    return Delivery(config, target, repository, branch_tip, pending_tip, tuple(notes))


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
            raise keep_pending(delivery, head_of(target), error) from error
        # Delivered, or (--no-push) on the local branch that the next push takes along.
        clear_pending(delivery)
        return Delivered((result.describe(target),), result.commit)
    if mode == "api":
        return deliver_api(
            delivery, reports, current, identity, transport, run_url, attempts, backoff, sleep
        )
    return deliver_to_branch(delivery, reports, current, identity, transport, run_url)


def delivery_transport(transport: Transport | None, environ: Mapping[str, str]) -> Transport | None:
    token = environ.get(DELIVERY_TOKEN_ENV, "").strip()
    if not token or transport is None:
        return transport
    return Transport(auth=Auth.Token(token), api_url=transport.api_url, notices=notices_to_stderr)
