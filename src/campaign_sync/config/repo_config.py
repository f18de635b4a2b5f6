"""The repository-level config file: organizations, API URL, folders, safety thresholds,
rate-limit use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CONFIG_FILENAMES = ("campaign-sync.yml", "campaign-sync.yaml")


@dataclass(frozen=True, slots=True)
class SafetyConfig:
    # octodns's default: refuse to touch more than 30% of what exists without --force.
    max_close_share: float = 0.3
    min_issues_for_threshold: int = 10
    max_writes_per_run: int = 500

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> SafetyConfig:
        defaults = cls()
        return cls(
            max_close_share=float(data.get("max-close-share", defaults.max_close_share)),
            min_issues_for_threshold=int(
                data.get("min-issues-for-threshold", defaults.min_issues_for_threshold)
            ),
            max_writes_per_run=int(data.get("max-writes-per-run", defaults.max_writes_per_run)),
        )


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    # GitHub allows about 80 content-creating requests a minute: one a second stays under.
    write_interval: float = 1.0
    # Primary rate limit left for other tools; apply stops before going below it.
    reserve_requests: int = 100

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> LimitsConfig:
        defaults = cls()
        return cls(
            write_interval=float(data.get("write-interval", defaults.write_interval)),
            reserve_requests=int(data.get("reserve-requests", defaults.reserve_requests)),
        )


DEFAULT_CACHE_DIR = ".campaign-sync-cache"

# How `apply --commit` records the reports: the four ways organizations let a bot write.
DELIVERY_MODES = ("push", "branch", "pull-request", "api")
DEFAULT_REPORTS_BRANCH = "campaign-sync/reports"


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """Where the reports commit of ``apply --commit`` goes, and how.

    ``push``: pushed to the checked-out branch (the default branch in CI), by an identity
    allowed to (a ruleset's bypass list). ``branch``: committed to ``branch`` only, never
    to the default branch. ``pull-request``: committed to ``branch`` and proposed to the
    default branch in one pull request, reused run after run (``auto_merge``: GitHub
    merges it once its required reviews and checks pass). ``api``: committed to the
    checked-out branch through GitHub's API as the App, so GitHub signs it.
    """

    mode: str = "push"
    branch: str = DEFAULT_REPORTS_BRANCH
    auto_merge: bool = False

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DeliveryConfig:
        return cls(
            mode=str(data.get("mode", "push")),
            branch=str(data.get("branch", DEFAULT_REPORTS_BRANCH)),
            auto_merge=bool(data.get("auto-merge", False)),
        )

    @property
    def to_branch(self) -> bool:
        """The commit goes to ``branch`` (branch, pull-request), not the checked-out one."""
        return self.mode in ("branch", "pull-request")


@dataclass(frozen=True, slots=True)
class RepoConfig:
    organizations: tuple[str, ...] = ()
    # None when the file does not say: then --api-url or GITHUB_API_URL decide.
    api_url: str | None = None
    campaigns_dir: str = "campaigns"
    reports_dir: str = "reports"
    safety: SafetyConfig = field(default_factory=SafetyConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    cache_dir: str = DEFAULT_CACHE_DIR  # "" turns the alert store off
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    source: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any], source: str = "") -> RepoConfig:
        """Build from schema-valid data."""
        return cls(
            organizations=tuple(data.get("organizations") or ()),
            api_url=str(data["api-url"]).rstrip("/") if data.get("api-url") else None,
            campaigns_dir=str(data.get("campaigns", "campaigns")),
            reports_dir=str(data.get("reports", "reports")),
            safety=SafetyConfig.from_data(data.get("safety") or {}),
            limits=LimitsConfig.from_data(data.get("limits") or {}),
            cache_dir=str(data.get("cache", DEFAULT_CACHE_DIR)),
            delivery=DeliveryConfig.from_data(data.get("delivery") or {}),
            source=source,
        )


def is_config_file(filename: str) -> bool:
    return filename in CONFIG_FILENAMES
