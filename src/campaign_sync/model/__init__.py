"""Frozen values the whole tool passes around, by what they describe: alerts and
repositories (``alerts``), campaigns (``campaigns``), and what a campaign's ledger records
(``ledgers``). Raw dicts become values only here."""

from __future__ import annotations

from campaign_sync.model.alerts import (
    ALERT_STATES as ALERT_STATES,
)
from campaign_sync.model.alerts import (
    ALERT_TYPES as ALERT_TYPES,
)
from campaign_sync.model.alerts import (
    REPOSITORY_NAME as REPOSITORY_NAME,
)
from campaign_sync.model.alerts import (
    SEVERITIES as SEVERITIES,
)
from campaign_sync.model.alerts import (
    Alert as Alert,
)
from campaign_sync.model.alerts import (
    AlertState as AlertState,
)
from campaign_sync.model.alerts import (
    AlertType as AlertType,
)
from campaign_sync.model.alerts import (
    Repository as Repository,
)
from campaign_sync.model.campaigns import (
    Campaign as Campaign,
)
from campaign_sync.model.campaigns import (
    CampaignState as CampaignState,
)
from campaign_sync.model.campaigns import (
    GitHubOptions as GitHubOptions,
)
from campaign_sync.model.campaigns import (
    Membership as Membership,
)
from campaign_sync.model.campaigns import (
    PathSelection as PathSelection,
)
from campaign_sync.model.campaigns import (
    RepositorySelection as RepositorySelection,
)
from campaign_sync.model.campaigns import (
    Selection as Selection,
)
from campaign_sync.model.campaigns import (
    Sla as Sla,
)
from campaign_sync.model.campaigns import (
    Tracking as Tracking,
)
from campaign_sync.model.ledgers import (
    CampaignLedger as CampaignLedger,
)
from campaign_sync.model.ledgers import (
    HeldRepository as HeldRepository,
)
from campaign_sync.model.ledgers import (
    HoldReason as HoldReason,
)
from campaign_sync.model.ledgers import (
    Member as Member,
)
from campaign_sync.model.ledgers import (
    TrackedIssue as TrackedIssue,
)
from campaign_sync.model.ledgers import (
    canonical_states as canonical_states,
)
from campaign_sync.model.ledgers import (
    record_json as record_json,
)
