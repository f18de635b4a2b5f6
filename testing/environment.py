"""The environment campaign-sync reads, for harnesses that run it against a fake GitHub."""

from __future__ import annotations

# Variables that would point campaign-sync at another server, token, commit identity,
# run or summary file, or route its requests through a proxy: cleared before a run, so
# that nothing from the caller's shell changes what a test or benchmark measures.
CLEARED_ENV = (
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITHUB_API_URL",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_RUN_ID",
    "CAMPAIGN_SYNC_COMMIT_AUTHOR",
    "CAMPAIGN_SYNC_APP_ID",
    "CAMPAIGN_SYNC_APP_PRIVATE_KEY",
    "CAMPAIGN_SYNC_APP_PRIVATE_KEY_FILE",
    "CAMPAIGN_SYNC_APP_INSTALLATION_ID",
    "http_proxy",
    "https_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
)
