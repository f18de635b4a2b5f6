"""The error hierarchy. ``str()`` of each is the whole message a user sees."""

from __future__ import annotations


class CampaignSyncError(Exception):
    """Base of every error the tool reports as ``error: ...`` with exit code 1."""


class UsageProblem(CampaignSyncError):
    """The command line asks for something that cannot be: a path that does not exist.

    Exit code 64 (EX_USAGE of sysexits.h), like click's own usage errors, so that no
    mistyped command reads as `plan`'s 2, "changes to apply".
    """


class ConfigError(CampaignSyncError):
    """A campaign file or the repository config cannot be used."""


class SourceError(CampaignSyncError):
    """An alert source (GitHub, snapshot, SARIF) cannot be read."""


class SourceArgumentError(SourceError, UsageProblem):
    """A snapshot: or sarif: source argument without a path, or naming none that exists."""


class GitHubError(CampaignSyncError):
    """The GitHub API refused or failed a request in a way the user must act on."""


class UnsafePlan(CampaignSyncError):
    """A plan trips a safety rail; ``--force`` overrides."""
