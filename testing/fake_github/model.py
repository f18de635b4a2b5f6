"""The fake's records. Alerts are compact slotted objects; their JSON is rendered lazily.

Timestamps are integer seconds since the epoch. Catalog objects (rules, advisories, secret
types) are shared by every alert that uses them and carry their own cached JSON fragments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PropertyValue = str | list[str] | None


@dataclass(slots=True, eq=False)
class User:
    login: str
    id: int
    type: str = "User"
    site_admin: bool = False
    name: str | None = None


@dataclass(slots=True, eq=False)
class Team:
    id: int
    slug: str
    name: str
    description: str | None
    org_login: str
    members: list[User] = field(default_factory=list)
    security_manager: bool = False  # the organization's security manager role


@dataclass(slots=True, eq=False)
class Tool:
    name: str
    version: str | None
    guid: str | None = None


@dataclass(slots=True, eq=False)
class Rule:
    """A code scanning rule (CodeQL query, Semgrep rule, Trivy check)."""

    id: str
    tool: Tool
    language: str
    severity: str  # error | warning | note
    security_severity_level: str | None  # critical | high | medium | low | None
    description: str
    full_description: str
    tags: tuple[str, ...]
    message: str
    help_uri: str | None


@dataclass(slots=True, eq=False)
class Advisory:
    ghsa_id: str
    cve_id: str | None
    summary: str
    description: str
    severity: str
    ecosystem: str
    package: str
    vulnerable_version_range: str
    first_patched_version: str | None
    cvss_score: float
    cvss_vector: str | None
    cwes: tuple[tuple[str, str], ...]
    published_at: int
    updated_at: int
    epss_percentage: float
    epss_percentile: float


@dataclass(slots=True, eq=False)
class SecretType:
    slug: str
    display_name: str
    provider: str | None
    provider_slug: str | None
    prefix: str
    length: int
    alphabet: str


@dataclass(slots=True, eq=False)
class CodeScanningAlert:
    gid: int
    repo: Repo
    number: int
    rule: Rule
    created: int
    updated: int
    state: str | None  # open | dismissed | fixed; None: GitHub's schema allows a null state
    path: str
    start_line: int
    start_column: int
    fixed_at: int | None = None
    dismissed_at: int | None = None
    dismissed_reason: str | None = None
    dismissed_comment: str | None = None
    dismissed_by: User | None = None


@dataclass(slots=True, eq=False)
class DependabotAlert:
    gid: int
    repo: Repo
    number: int
    advisory: Advisory
    manifest_path: str
    scope: str | None
    relationship: str | None
    created: int
    updated: int
    state: str  # open | dismissed | fixed | auto_dismissed
    fixed_at: int | None = None
    dismissed_at: int | None = None
    dismissed_reason: str | None = None
    dismissed_comment: str | None = None
    dismissed_by: User | None = None
    auto_dismissed_at: int | None = None


@dataclass(slots=True, eq=False)
class SecretScanningAlert:
    gid: int
    repo: Repo
    number: int
    secret_type: SecretType
    created: int
    updated: int
    state: str  # open | resolved
    validity: str  # active | inactive | unknown
    path: str
    start_line: int
    publicly_leaked: bool = False
    multi_repo: bool = False
    resolution: str | None = None
    resolved_at: int | None = None
    resolved_by: User | None = None
    resolution_comment: str | None = None
    # False: `updated_at` is rendered null, as GitHub's schema allows; the alert keeps its
    # place in `sort=updated` listings by `updated`.
    updated_known: bool = True


Alert = CodeScanningAlert | DependabotAlert | SecretScanningAlert

ALERT_KINDS: tuple[str, ...] = ("code-scanning", "dependabot", "secret-scanning")


@dataclass(slots=True, eq=False)
class Label:
    id: int
    name: str
    color: str
    description: str | None
    default: bool = False


@dataclass(slots=True, eq=False)
class Comment:
    id: int
    issue: Issue
    body: str
    user: User
    created: int
    updated: int


@dataclass(slots=True, eq=False)
class Issue:
    id: int
    repo: Repo
    number: int
    title: str
    body: str | None
    user: User
    created: int
    updated: int
    labels: list[Label] = field(default_factory=list)
    assignees: list[User] = field(default_factory=list)
    state: str = "open"
    state_reason: str | None = None
    closed_at: int | None = None
    closed_by: User | None = None
    comments: list[Comment] = field(default_factory=list)
    locked: bool = False
    # Deleted by an admin, or transferred to another repository (where it has a new number):
    # its number stays taken, and its old address answers 410 or 301 (routes_issues).
    deleted: bool = False
    transferred_to: Issue | None = None

    @property
    def present(self) -> bool:
        """Still in its repository: neither deleted nor transferred."""
        return not self.deleted and self.transferred_to is None


@dataclass(slots=True, eq=False)
class Autofix:
    status: str  # pending | error | success | outdated
    started_at: int
    ready_at: int
    description: str | None = None


@dataclass(slots=True, eq=False)
class Pull:
    """A pull request. GitHub numbers pull requests and issues in one sequence, so each has
    an ``Issue`` (its conversation) holding the number."""

    id: int
    issue: Issue
    head: str  # branch name in the same repository
    base: str
    head_sha: str
    base_sha: str
    maintainer_can_modify: bool = False
    auto_merge_by: User | None = None  # auto-merge enabled by
    auto_merge_method: str = "merge"

    @property
    def number(self) -> int:
        return self.issue.number


@dataclass(slots=True, eq=False)
class Repo:
    id: int
    org: Org
    name: str
    language: str
    visibility: str  # public | private | internal
    description: str | None
    created: int
    pushed: int
    topics: list[str] = field(default_factory=list)
    properties: dict[str, PropertyValue] = field(default_factory=dict)
    archived: bool = False
    has_issues: bool = True  # False: the repository's Issues feature is turned off
    code_scanning: bool = True
    secret_scanning: bool = True
    dependabot: bool = True
    code_alerts: list[CodeScanningAlert] = field(default_factory=list)
    dependabot_alerts: list[DependabotAlert] = field(default_factory=list)
    secret_alerts: list[SecretScanningAlert] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    labels: dict[str, Label] | None = None  # lower-case name -> label; created on first use
    autofixes: dict[int, Autofix] = field(default_factory=dict)
    # Git: a bare repository on disk holds the branches (None: the repository has none the
    # fake can show). ``rules`` maps a protected branch to the logins its ruleset lets
    # bypass "require a pull request"; the same rules guard pushes (a pre-receive hook).
    git_dir: str | None = None
    rules: dict[str, set[str]] = field(default_factory=dict)
    pulls: list[Pull] = field(default_factory=list)
    allow_auto_merge: bool = False
    updated: int = 0
    cache: dict[str, str] = field(default_factory=dict)  # rendered JSON fragments

    @property
    def full_name(self) -> str:
        return f"{self.org.login}/{self.name}"

    @property
    def private(self) -> bool:
        return self.visibility != "public"

    def touch(self) -> None:
        """Forget rendered fragments after a change."""
        self.cache.clear()


@dataclass(slots=True, eq=False)
class Campaign:
    number: int
    name: str
    description: str
    managers: list[User]
    team_managers: list[Team]
    ends_at: int
    contact_link: str | None
    created: int
    updated: int
    alerts: list[CodeScanningAlert]
    state: str = "open"
    closed_at: int | None = None


@dataclass(slots=True, eq=False)
class Org:
    login: str
    id: int
    installation_id: int
    created: int
    repos: dict[str, Repo] = field(default_factory=dict)  # lower-case name -> repo
    members: dict[str, User] = field(default_factory=dict)  # lower-case login -> user
    owners: set[str] = field(default_factory=set)  # lower-case logins of the owners
    teams: dict[str, Team] = field(default_factory=dict)  # slug -> team
    code_alerts: list[CodeScanningAlert] = field(default_factory=list)
    dependabot_alerts: list[DependabotAlert] = field(default_factory=list)
    secret_alerts: list[SecretScanningAlert] = field(default_factory=list)
    campaigns: dict[int, Campaign] = field(default_factory=dict)
    next_campaign: int = 1
    blanked: set[str] = field(default_factory=set)  # alert kinds whose org listing is empty
    cache: dict[str, str] = field(default_factory=dict)

    def may_manage_campaigns(self, user: User) -> bool:
        """An owner, or a member of a team with the security manager role."""
        return user.login.lower() in self.owners or any(
            team.security_manager and user in team.members for team in self.teams.values()
        )


@dataclass(slots=True, eq=False)
class Token:
    """An access token: its permissions ({name: read|write}) and the orgs it can see."""

    value: str
    kind: str  # pat | installation
    user: User
    permissions: dict[str, str]
    orgs: set[str] | None  # lower-case org logins; None: every org
    budget: int
    expires_at: float | None = None
    installation_id: int | None = None
    revoked: bool = False
