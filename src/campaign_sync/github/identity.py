"""Who the tool runs as, and whether an issue is one the tool opened.

Anyone with triage access can open an issue with the tool's label and a copy of its
marker. An issue the ledger does not name is taken over only if the tool's own identity
opened it: the App's bot (``<slug>[bot]``), Actions' ``github-actions[bot]``, or the
token's user. Asked once a run, and only when an unrecorded issue carrying the marker is
a candidate: GraphQL ``viewer { login }`` answers for personal and installation tokens
alike (REST ``GET /user`` refuses installation tokens: "Resource not accessible by
integration"). A create's answer (``user.login``) tells it for free.
"""

from __future__ import annotations

from collections.abc import Mapping

from campaign_sync.errors import GitHubError
from campaign_sync.github.graphql import run_query
from campaign_sync.github.transport import Transport

_VIEWER = "query { viewer { login } }"


def same_login(first: str, second: str) -> bool:
    """Logins compared as GitHub shows them: case-insensitively, and a bot's ``[bot]``
    suffix aside (REST's ``user.login`` has it, GraphQL's ``Bot.login`` does not)."""
    if not first or not second:
        return False
    return first.removesuffix("[bot]").casefold() == second.removesuffix("[bot]").casefold()


class WhoAmI:
    """The login the transport's token acts as, asked lazily, at most once."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._login: str | None = None
        self._asked = False
        self.problem: str | None = None  # why the identity is unknown, when it is

    def learn(self, login: str) -> None:
        """The author of an issue this run created: the tool itself."""
        if login and self._login is None:
            self._login = login

    def login(self) -> str | None:
        if self._login is None and not self._asked:
            self._asked = True
            try:
                data = run_query(self._transport, _VIEWER, {}).data
                viewer = data.get("viewer")
                login = viewer.get("login") if isinstance(viewer, Mapping) else None
                if isinstance(login, str) and login:
                    self._login = login
                else:
                    self.problem = "GitHub's answer named no login"
            except GitHubError as error:
                self.problem = str(error)
        return self._login

    def is_me(self, author: str) -> bool:
        """Whether ``author`` is the tool; unknown (no identity) is never."""
        if not author:
            return False
        if self._login is not None and same_login(author, self._login):
            return True
        me = self.login()
        return me is not None and same_login(author, me)
