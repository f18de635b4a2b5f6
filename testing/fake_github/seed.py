"""Deterministic generation of an organization of any size from a seed.

Same seed, same arguments: same repositories, alerts, ids, timestamps and therefore the same
response bytes. Alerts are dated over the year before :data:`clock.SEED_REFERENCE`.
"""

from __future__ import annotations

import gc
import random

from .catalog import Catalog, Weighted
from .catalog_advisories import MANIFESTS
from .catalog_misc import (
    DATA_CLASSES,
    ECOSYSTEM_BY_KEY,
    LANGUAGES,
    MEMBERS,
    REPO_PREFIXES,
    REPO_SUFFIXES,
    SECRET_PATHS,
    TEAMS,
    TIERS,
    TOPIC_POOL,
    is_test_path,
)
from .clock import SEED_REFERENCE
from .factory import add_code_alert, add_dependabot_alert, add_secret_alert
from .model import Campaign, Org, Repo, Team, User
from .store import State, apply_state

DAY = 86_400
YEAR = 365 * DAY
_SEMGREP_LANG = {
    "py": "semgrep-python",
    "js": "semgrep-javascript",
    "java": "semgrep-java",
    "go": "semgrep-go",
}
_TRIVY_KINDS = ("trivy-docker", "trivy-k8s", "trivy-image")
_CODE_REASONS = Weighted(
    [("false positive", 4.0), ("won't fix", 3.0), ("used in tests", 2.0), ("mitigated", 1.0)]
)
_DEP_REASONS = Weighted(
    [
        ("tolerable_risk", 4.0),
        ("no_bandwidth", 2.0),
        ("not_used", 2.0),
        ("inaccurate", 1.0),
        ("fix_started", 1.0),
    ]
)
_SECRET_RESOLUTIONS = Weighted(
    [("revoked", 5.0), ("false_positive", 2.0), ("used_in_tests", 1.5), ("wont_fix", 1.5)]
)


def repo_names(rng: random.Random, count: int) -> list[str]:
    combos = [f"{p}-{s}" for p in REPO_PREFIXES for s in REPO_SUFFIXES]
    rng.shuffle(combos)
    names = []
    for i in range(count):
        base = combos[i % len(combos)]
        generation = i // len(combos)
        names.append(base if generation == 0 else f"{base}-{generation + 1}")
    return names


def seed_org(
    state: State,
    *,
    org: str = "acme",
    repos: int = 10,
    alerts: int = 300,
    seed: int = 0,
    catalog: Catalog | None = None,
) -> Org:
    """Create ``org`` with ``repos`` repositories and about ``alerts`` alerts."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with state.lock:
            catalog = catalog or Catalog(seed)
            rng = random.Random(f"org:{org}:{seed}")
            the_org = state.add_org(org, created=SEED_REFERENCE - 6 * YEAR)
            members = [state.add_member(the_org, login) for login in MEMBERS]
            teams = {
                slug: state.add_team(the_org, slug, name, f"{name} team") for slug, name in TEAMS
            }
            _assign_roles(the_org, teams)
            repo_list = _make_repos(state, the_org, rng, repos)
            _make_alerts(state, catalog, rng, repo_list, members, alerts)
            state.alerts_changed()
            return the_org
    finally:
        if gc_was_enabled:
            gc.enable()


# Organization roles: who may manage a security campaign ("managers must be owners or
# security managers"). The rest of MEMBERS are plain members (mallory, niaj, ...).
OWNERS = ("mona", "octocat")
SECURITY_MANAGER_TEAM = "appsec"
SECURITY_MANAGER_MEMBERS = ("alice-appsec", "ivan-sec")


def _assign_roles(org: Org, teams: dict[str, Team]) -> None:
    org.owners.update(OWNERS)
    appsec = teams.get(SECURITY_MANAGER_TEAM)
    if appsec is not None:
        appsec.security_manager = True
        appsec.members.extend(org.members[login] for login in SECURITY_MANAGER_MEMBERS)
    for slug, team in teams.items():  # each other team has its namesake member, if any
        if not team.security_manager:
            team.members.extend(u for login, u in org.members.items() if login.endswith(f"-{slug}"))


def seed_ui_campaigns(state: State, org: Org, count: int) -> list[Campaign]:
    """``count`` open campaigns made in GitHub's UI (not by campaign-sync): they count
    against the organization's 10 open campaigns like any other. Their text is what a
    person typed, so it is untrusted: names carry markup and a mention."""
    with state.lock:
        alerts = [a for a in org.code_alerts if a.state == "open"][: max(1, count)]
        made = []
        for i in range(count):
            now = state.now()
            campaign = Campaign(
                org.next_campaign,
                f"UI campaign {i + 1} <b>@mallory</b>",
                "Made by hand in the security overview. [click](javascript:alert(1))",
                [org.members[OWNERS[0]]],
                [],
                now + 90 * DAY,
                None,
                now,
                now,
                alerts[i % len(alerts) : i % len(alerts) + 1] if alerts else [],
            )
            org.campaigns[campaign.number] = campaign
            org.next_campaign += 1
            made.append(campaign)
        return made


def _make_repos(state: State, org: Org, rng: random.Random, count: int) -> list[Repo]:
    languages = Weighted([((name, key), float(w)) for name, key, w in LANGUAGES])
    tiers = Weighted([(tier, w) for tier, w in TIERS])
    teams = [slug for slug, _ in TEAMS]
    result = []
    for name in repo_names(rng, count):
        language, _key = languages.pick(rng.random())
        v = rng.random()
        visibility = "public" if v < 0.15 else "internal" if v < 0.45 else "private"
        topics = [topic for topic, p in TOPIC_POOL if rng.random() < p]
        archived = rng.random() < 0.02
        created = SEED_REFERENCE - int((1 + rng.random() * 5) * YEAR)
        pushed = SEED_REFERENCE - int(rng.random() * (400 if archived else 60) * DAY)
        prefix, _, suffix = name.partition("-")
        repo = state.add_repo(
            org,
            name,
            language=language,
            visibility=visibility,
            created=created,
            pushed=pushed,
            description=f"{prefix.capitalize()} {suffix.replace('-', ' ')} ({language})",
            topics=topics,
            archived=archived,
        )
        repo.properties = {
            "tier": tiers.pick(rng.random()),
            "team": teams[int(rng.random() * len(teams))],
            "data_classification": DATA_CLASSES[int(rng.random() * len(DATA_CLASSES))],
        }
        if rng.random() < 0.3:
            repo.properties["compliance"] = sorted(
                rng.sample(["pci", "sox", "hipaa", "gdpr"], 1 + int(rng.random() * 2))
            )
        if rng.random() < 0.05:
            missing = rng.random()
            if missing < 0.4:
                repo.code_scanning = False
            elif missing < 0.7:
                repo.secret_scanning = False
            else:
                repo.dependabot = False
        result.append(repo)
    return result


def _language_key(repo: Repo) -> str:
    for name, key, _ in LANGUAGES:
        if name == repo.language:
            return key
    return "py"


def _make_alerts(
    state: State,
    catalog: Catalog,
    rng: random.Random,
    repos: list[Repo],
    members: list[User],
    count: int,
) -> None:
    if not repos or count <= 0:
        return
    weights = [min(rng.paretovariate(1.2), 60.0) for _ in repos]
    pickers = {
        attr: Weighted([(r, w) for r, w in zip(repos, weights, strict=True) if getattr(r, attr)])
        for attr in ("code_scanning", "dependabot", "secret_scanning")
        if any(getattr(r, attr) for r in repos)
    }
    keys = {id(r): _language_key(r) for r in repos}
    created_times = sorted(SEED_REFERENCE - int(rng.random() * YEAR) for _ in range(count))
    rand = rng.random
    n_members = len(members)
    for created in created_times:
        t = rand()
        kind = "code_scanning" if t < 0.60 else "dependabot" if t < 0.85 else "secret_scanning"
        picker = pickers.get(kind)
        if picker is None:
            continue
        repo = picker.pick(rand())
        closed_at = created + int(rand() * (SEED_REFERENCE - created))
        by = members[int(rand() * n_members)]
        s = rand()
        if kind == "code_scanning":
            key = keys[id(repo)]
            u = rand()
            if u < 0.80:
                lang = key
            elif u < 0.88:
                lang = "actions"
            elif u < 0.95:
                lang = _SEMGREP_LANG.get(key, "semgrep-generic")
            else:
                lang = _TRIVY_KINDS[int(rand() * 3)]
            rule = catalog.rules_by_language[lang].pick(rand())
            paths = catalog.paths[lang]
            path = paths[int(rand() * len(paths))]
            code = add_code_alert(
                state, repo, rule, created, path, 1 + int(rand() ** 2 * 800), 1 + int(rand() * 60)
            )
            if s < 0.70:
                code.updated = created + int(rand() * 3 * DAY)
            elif s < 0.90:
                apply_state(code, "fixed", closed_at)
            else:
                reason = "used in tests" if is_test_path(path) else _CODE_REASONS.pick(rand())
                comment = "Not exploitable: input is validated upstream." if rand() < 0.3 else None
                apply_state(code, "dismissed", closed_at, reason=reason, comment=comment, by=by)
        elif kind == "dependabot":
            ecosystem = "actions" if rand() < 0.08 else ECOSYSTEM_BY_KEY[keys[id(repo)]]
            advisory = catalog.advisory_pickers[ecosystem].pick(rand())
            manifests = MANIFESTS[ecosystem]
            sc = rand()
            dep = add_dependabot_alert(
                state,
                repo,
                advisory,
                created,
                manifests[int(rand() * len(manifests))],
                "runtime" if sc < 0.75 else "development",
                "direct" if sc < 0.45 else "transitive" if sc < 0.92 else "unknown",
            )
            if s < 0.65:
                dep.updated = created
            elif s < 0.90:
                apply_state(dep, "fixed", closed_at)
            elif s < 0.98:
                apply_state(dep, "dismissed", closed_at, reason=_DEP_REASONS.pick(rand()), by=by)
            else:
                apply_state(dep, "auto_dismissed", closed_at)
        else:
            stype = catalog.secret_types.pick(rand())
            v = rand()
            if stype.provider is None:
                validity = "unknown"
            else:
                validity = "active" if v < 0.3 else "inactive" if v < 0.7 else "unknown"
            secret = add_secret_alert(
                state,
                repo,
                stype,
                created,
                SECRET_PATHS[int(rand() * len(SECRET_PATHS))],
                1 + int(rand() * 200),
                validity,
            )
            secret.publicly_leaked = repo.visibility == "public" and v < 0.2
            secret.multi_repo = rand() < 0.05
            if s < 0.75:
                secret.updated = created
            else:
                apply_state(
                    secret, "resolved", closed_at, reason=_SECRET_RESOLUTIONS.pick(rand()), by=by
                )
