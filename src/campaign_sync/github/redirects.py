"""Following GitHub's redirects without sending the token anywhere else: a GET follows
any, a write only 307 and 308; the target must be under the API URL; a repository's
redirect is recorded as its move (old name -> new), an issue's transfer is not."""

from __future__ import annotations

import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any, Protocol

from campaign_sync.errors import GitHubError
from campaign_sync.github.exchange import Response, route_of

REDIRECTS = frozenset({301, 302, 303, 307, 308})
_REPO_PATH = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)(?:/|$)")
_REPO_ID_PATH = re.compile(r"^/repositories/(?P<id>\d+)(?:/|$)")


class _Connection(Protocol):
    api_url: str
    moved: dict[str, str]
    _origin: str
    _stats_lock: threading.Lock

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> Response: ...

    def request(self, method: str, url: str, *, follow_redirects: bool = True) -> Response: ...

    def _note_move(self, url: str, location: str) -> None: ...

    def _still_there(self, name: str) -> bool: ...

    def _api_path(self, url: str) -> str: ...


class FollowsRedirects:
    """The transport's redirect rules (a mixin of ``Transport``)."""

    def _redirect_target(
        self: _Connection, method: str, url: str, response: Response
    ) -> str | None:
        """Where to send ``method`` again after this answer, or None to return it.

        A GET follows any redirect; a write follows only 307 and 308, which keep the method
        and the body (RFC 9110, 15.4.8 and 15.4.9): that is how GitHub answers a write to a
        renamed repository. The target must be under our API URL: the Location comes from
        the server, and the token goes wherever we follow it.
        """
        if response.status not in REDIRECTS:
            return None
        if method != "GET" and response.status not in (307, 308):
            return None
        location = response.headers.get("location", "")
        if not location:
            raise GitHubError(
                f"{method} {route_of(url)}: GitHub answered {response.status} without saying "
                "where to (no Location header); try again later"
            )
        if location.startswith("/") and not location.startswith("//"):
            location = self._origin + location
        if not location.startswith(self.api_url + "/"):
            split = urllib.parse.urlsplit(location)
            raise GitHubError(
                f"{method} {route_of(url)}: GitHub redirected to {split.netloc or location!r}"
                f"{split.path if split.netloc else ''}, outside the API at {self.api_url}; "
                "not followed, so the token was not sent there. Check the API URL in "
                "campaign-sync.yml"
            )
        self._note_move(url, location)
        return location

    def _note_move(self: _Connection, url: str, location: str) -> None:
        """Record OLD/NAME -> NEW/NAME when a repository path was redirected."""
        old_path = self._api_path(url)
        old = _REPO_PATH.match(old_path)
        if old is None:
            return
        name = f"{old['owner']}/{old['repo']}"
        if name in self.moved:
            return
        new_path = self._api_path(location)
        by_name = _REPO_PATH.match(new_path)
        by_id = _REPO_ID_PATH.match(new_path)
        moved_part = by_name or by_id
        rest = old_path[old.end() :]
        if moved_part is None or new_path[moved_part.end() :] != rest:
            # A repository's redirect keeps the rest of the path; one that does not is an
            # issue transferred to another repository (a new number there), not a move.
            return
        if rest.startswith("issues/") and self._still_there(name):
            return  # an issue transferred to the same number elsewhere: not a move
        new_name = f"{by_name['owner']}/{by_name['repo']}" if by_name else None
        if by_id is not None:
            # GitHub names the new place by id; one read of it gives the new name. Only a
            # record: if that read fails, the request being redirected still goes on.
            try:
                data = self.get(f"/repositories/{by_id['id']}").data
            except GitHubError:
                return
            full_name = data.get("full_name") if isinstance(data, Mapping) else None
            new_name = full_name if isinstance(full_name, str) else None
        if new_name is not None and new_name != name:
            with self._stats_lock:
                self.moved[name] = new_name

    def _still_there(self: _Connection, name: str) -> bool:
        """Whether the repository answers under ``name`` itself (no redirect): an issue's
        redirect then is the issue's own (transferred), not its repository's. Unknown
        (an error) counts as still there: a move is recorded only when GitHub says so."""
        try:
            response = self.request("GET", f"/repos/{name}", follow_redirects=False)
        except GitHubError:
            return True
        return response.status not in REDIRECTS

    def _api_path(self: _Connection, url: str) -> str:
        """``url``'s path below the API URL (``/repos/...``), whatever form it has."""
        path = urllib.parse.urlsplit(url).path
        if url.startswith(self._origin + "/"):
            prefix = urllib.parse.urlsplit(self.api_url).path.rstrip("/")
            path = path.removeprefix(prefix)
        return path
