"""Shared test setup. Tests never reach the network: the socket guard below refuses it."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# The fake GitHub's fixtures: fake_github, fake_github_factory. GitHub's official REST and
# GraphQL descriptions judge every exchange with every fake (testing/contract).
pytest_plugins = ["testing.fake_github.pytest_plugin", "testing.contract.pytest_plugin"]

# These machines are shared: wall-clock health checks would fail tests for load that has
# nothing to do with the code. Example counts stay as each test sets them.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


class NetworkBlocked(RuntimeError):
    """A test tried to connect somewhere other than this machine.

    Not an OSError on purpose: code under test that retries or swallows connection errors
    must not hide a test that touches the network.
    """


def _is_loopback(address: Any) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:  # any other host name: resolving it would already be network use
        return False


@pytest.fixture(autouse=True, scope="session")
def _socket_guard() -> Iterator[None]:
    """Refuse socket connections to anything but loopback, for the whole session."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(sock: socket.socket, address: Any) -> None:
        if not _is_loopback(address):
            raise NetworkBlocked(f"tests must not use the network (connect to {address!r})")
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        if not _is_loopback(address):
            raise NetworkBlocked(f"tests must not use the network (connect to {address!r})")
        return real_connect_ex(sock, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket.socket, "connect_ex", connect_ex)
        yield


@pytest.fixture(autouse=True)
def _not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests behave the same on a laptop and in CI: `apply` reads CI=true to apply
    committed campaign files only; the tests that need it set it themselves."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
