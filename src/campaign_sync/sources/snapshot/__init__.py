"""Alerts from files holding GitHub's own JSON, as ``gh api`` writes it.

A snapshot is what you get from, for example::

    gh api --paginate '/orgs/acme/code-scanning/alerts?per_page=100' > code-scanning.json
    gh api --paginate '/orgs/acme/dependabot/alerts?per_page=100' > dependabot.json
    gh api --paginate '/orgs/acme/secret-scanning/alerts?per_page=100&hide_secret=true' \\
        > secret-scanning.json
    # Generic patterns (passwords, private keys...): GitHub lists them only by name.
    gh api --paginate /orgs/acme/secret-scanning/alerts -X GET -f per_page=100 \\
        -f hide_secret=true -f secret_type=password,rsa_private_key,... > generic.json
    gh api --paginate '/orgs/acme/repos?per_page=100' > repos.json
    gh api --paginate /orgs/acme/properties/values > properties.json

Every shape ``gh api`` produces is accepted, in any file: without ``--slurp`` one merged
array (gh 2.31 and later join the pages of a REST listing), or the pages' arrays back to
back (``[...][...]``, older gh, and GraphQL or object pages), with ``--slurp`` (gh 2.48
and later) an array of the pages' arrays, with ``--jq '.[]'`` one object per line, or a
single object (``gh api /repos/O/R``). The
repository-level endpoints (``/repos/OWNER/REPO/code-scanning/alerts`` and the like) work
too: their alerts carry no ``repository``, so it is read from the alert's ``html_url``
(``https://HOST/OWNER/REPO/security/...``).

Each object is recognized by its shape: a code scanning, Dependabot or secret scanning
alert (``github_json.detect_type``), a repository (``/orgs/ORG/repos``: ``full_name`` with
``topics``, ``archived``, ``visibility``, ``custom_properties``, ``has_issues``) or a
repository's custom property values (``/orgs/ORG/properties/values``). Anything else is an
error naming the file, the item's number and its line and column.

The files are read as a stream, one item at a time: a snapshot of a large organization is
never held in memory as JSON, only as the ``Alert`` values it becomes. A secret scanning
alert's ``secret`` is never read, so it cannot reach the result even when the file has it.
"""

from __future__ import annotations

from campaign_sync.sources.snapshot.shapes import (
    expand_paths,
    repository_from_html_url,
)
from campaign_sync.sources.snapshot.source import (
    SnapshotSource,
)
from campaign_sync.sources.snapshot.stream import (
    _JsonStream,
    _Malformed,
)

__all__ = [
    "SnapshotSource",
    "_JsonStream",
    "_Malformed",
    "expand_paths",
    "repository_from_html_url",
]
