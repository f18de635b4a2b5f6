"""Knobs of the fake GitHub, all changeable at runtime."""

from __future__ import annotations

from dataclasses import dataclass, field

FAULT_KINDS: tuple[str, ...] = ("500", "502", "503", "timeout", "drop")


@dataclass
class FaultConfig:
    """Fault injection: each eligible request draws from a seeded RNG in arrival order.

    ``rate`` is the probability that a request fails, ``kinds`` the faults drawn from
    (HTTP ``500``/``502``/``503``, ``timeout``: hold the request ``timeout_hold`` seconds and
    close it without answering, ``drop``: close the connection at once). Faults happen before
    the request is processed, so state is unchanged, unless ``ambiguous_writes`` is set: then
    a faulted write is applied first and only its response is lost.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int = 0
    timeout_hold: float = 2.0
    exempt_control: bool = True
    ambiguous_writes: bool = False


@dataclass
class FakeConfig:
    """Behaviour settings. Budgets are per token; windows run on the fake's clock."""

    search_lag: float = 60.0
    """An issue younger than this many clock seconds is not returned by /search/issues."""
    rate_limit_status: int = 403
    """Status for an exhausted primary budget (GitHub uses 403 or 429)."""
    pat_budget: int = 5000
    installation_budget: int = 15000
    """An App installation on a GitHub Enterprise Cloud organization: "the installation has a
    rate limit of 15,000 requests per hour" (Rate limits for the REST API). Elsewhere it is
    5,000 plus 50 per repository and per user beyond 20 each, at most 12,500."""
    search_budget: int = 30
    """Search requests per minute."""
    secondary_per_minute: int = 80
    secondary_per_hour: int = 500
    max_concurrent_writes: int = 1
    write_delay: float = 0.0
    """Real seconds each write takes (lets a test overlap two writes)."""
    write_clock_step: float = 0.0
    """Clock seconds each admitted write moves the clock forward: it stands for a client that
    paces its writes, so the secondary limits (80 a minute, 500 an hour) hold on a simulated
    clock while the client itself sends without waiting (0.75 s is exactly 80 a minute)."""
    graphql: bool = True
    """False: POST /graphql answers 404, as from an API host without GraphQL."""
    autofix_delay: float = 5.0
    """Clock seconds until a requested autofix turns from pending to success."""
    autofix_remaining: int | None = None
    """Autofix creates Copilot's own budget still allows (None: no limit); at 0 a create
    answers 403 "rate limit exceeded", as GitHub documents (with no reset time)."""
    campaign_create_429: int = 0
    """The next this-many campaign creates answer a bare 429 (no retry-after, no
    x-ratelimit-* saying it is spent), as "Create a campaign" documents 429."""
    ghes_version: str | None = None
    """Play GitHub Enterprise Server this version (e.g. "3.18"): GET /meta answers its
    installed_version, and the campaign and Autofix routes answer 404 as on GHES."""
    ignore_hide_secret: bool = False
    """Send each secret scanning alert's ``secret`` even when the request says
    ``hide_secret=true``: a server (a proxy, a GHES version) that does not honour it. The
    client must keep no such value anywhere (the alert store included)."""
    app_id: int = 424242
    app_slug: str = "campaign-sync"
    html_url: str = "https://github.com"
    public_url: str | None = None
    """Base URL written into bodies and Link headers; defaults to the bound address."""
    log_limit: int = 200_000
    faults: FaultConfig = field(default_factory=FaultConfig)
