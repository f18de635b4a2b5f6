"""Links from a report to GitHub: repositories, tracking issues, native campaigns. Pure.

A link is made only from names that are what GitHub allows (``OWNER/REPO`` of letters,
digits, ``.``, ``_`` and ``-``; an organization login); anything else gets no link, so a
hostile name can never point a report's reader somewhere else. The web address comes from
the config's ``api-url`` (the committed, reviewed value) and not from the environment, so
``apply`` in Actions and ``report`` on a laptop write the same bytes.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

GITHUB = "https://github.com"
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?")
_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")


def web_url(api_url: str | None) -> str:
    """The web address of the GitHub an API URL belongs to.

    ``https://api.github.com`` (or none) is github.com, ``https://HOST/api/v3`` is GitHub
    Enterprise Server at ``https://HOST``, ``https://api.SUBDOMAIN.ghe.com`` is GitHub
    Enterprise Cloud with data residency at ``https://SUBDOMAIN.ghe.com``.
    """
    if not api_url:
        return GITHUB
    try:
        parts = urlsplit(api_url.strip())
    except ValueError:
        return GITHUB
    host = parts.netloc
    if parts.scheme not in ("https", "http") or not _HOST.fullmatch(host):
        return GITHUB
    lowered = host.lower()
    if lowered == "api.github.com":
        return GITHUB
    if lowered.startswith("api.") and lowered.endswith(".ghe.com"):
        host = host[4:]
    return f"{parts.scheme}://{host}"


def repository_url(web: str, repository: str) -> str | None:
    owner, _, name = repository.partition("/")
    if not (_NAME.fullmatch(owner) and _NAME.fullmatch(name)) or {owner, name} & {".", ".."}:
        return None
    return f"{web}/{owner}/{name}"


def issue_url(web: str, repository: str, number: int) -> str | None:
    base = repository_url(web, repository)
    return f"{base}/issues/{number}" if base is not None and number > 0 else None


def native_campaign_url(web: str, organization: str | None, number: int) -> str | None:
    if organization is None or not _LOGIN.fullmatch(organization) or number <= 0:
        return None
    return f"{web}/orgs/{organization}/security/campaigns/{number}"
