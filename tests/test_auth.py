"""Credentials and the API URL from the environment, and a real GitHub App flow over HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from github import Auth
from testing.fake_github import FakeGitHub

from campaign_sync import cli
from campaign_sync.errors import ConfigError, GitHubError
from campaign_sync.github.auth import auth_from_env, resolve_api_url
from campaign_sync.github.transport import DEFAULT_API_URL, Transport
from campaign_sync.sources.github import GitHubSource

GHES = "https://ghe.example.com/api/v3"
ACCESS_TOKENS_ROUTE = "/app/installations/{installation_id}/access_tokens"
ENVIRONMENT = (
    "GH_TOKEN",
    "GITHUB_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITHUB_API_URL",
    "CAMPAIGN_SYNC_APP_ID",
    "CAMPAIGN_SYNC_APP_PRIVATE_KEY",
    "CAMPAIGN_SYNC_APP_PRIVATE_KEY_FILE",
    "CAMPAIGN_SYNC_APP_INSTALLATION_ID",
)
NO_CREDENTIALS = (
    "no GitHub credentials: set GITHUB_TOKEN (or GH_TOKEN) to a token that can read security "
    "alerts, or CAMPAIGN_SYNC_APP_ID, CAMPAIGN_SYNC_APP_PRIVATE_KEY and "
    "CAMPAIGN_SYNC_APP_INSTALLATION_ID for a GitHub App installation; or use an offline source "
    "(snapshot:PATH, sarif:PATH)"
)


# --- resolve_api_url ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "config", "env", "expected"),
    [
        (
            "https://flag/api",
            "https://config/api",
            {"GITHUB_API_URL": "https://env"},
            "https://flag/api",
        ),
        (None, "https://env/api", {"GITHUB_API_URL": "https://env"}, "https://env/api"),
        (None, "http://127.0.0.1:9/", {}, "http://127.0.0.1:9"),
        (None, "http://localhost:9", {}, "http://localhost:9"),
        ("http://[::1]:9", None, {}, "http://[::1]:9"),
        (None, None, {"GITHUB_API_URL": "https://env/api/v3"}, "https://env/api/v3"),
        (None, None, {}, DEFAULT_API_URL),
        ("", "", {"GITHUB_API_URL": ""}, DEFAULT_API_URL),  # empty means unset
        ("https://flag/api/", None, {}, "https://flag/api"),
        (None, "https://config/api//", {}, "https://config/api"),
        (None, None, {"GITHUB_API_URL": "https://env/"}, "https://env"),
    ],
)
def test_resolve_api_url_precedence(
    flag: str | None, config: str | None, env: dict[str, str], expected: str
) -> None:
    assert resolve_api_url(flag, config, env) == expected


@pytest.mark.parametrize(
    ("flag", "config", "env", "message"),
    [
        # A pull request changed api-url: in Actions, GITHUB_API_URL says where the run goes.
        (None, "https://evil.example", {"GITHUB_API_URL": "https://api.github.com"}, "names"),
        (None, "https://api.github.com:444", {"GITHUB_API_URL": "https://api.github.com"}, "names"),
        (None, "http://api.github.com", {"GITHUB_API_URL": "https://api.github.com"}, "http://"),
        (None, "http://evil.example/api", {}, "plain http://"),
        ("http://10.0.0.1/api", None, {}, "plain http://"),
        (None, None, {"GITHUB_API_URL": "http://ghes.internal/api/v3"}, "plain http://"),
        (None, "https://user:s3cret@ghes.example/api/v3", {}, "credentials"),
        ("https://tok3n@ghes.example", None, {}, "credentials"),
    ],
)
def test_resolve_api_url_refuses_where_tokens_must_not_go(
    flag: str | None, config: str | None, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as raised:
        resolve_api_url(flag, config, env)
    assert "s3cret" not in str(raised.value)
    assert "tok3n" not in str(raised.value)


def test_default_api_url_is_github_com() -> None:
    assert DEFAULT_API_URL == "https://api.github.com"


# --- tokens -----------------------------------------------------------------------------------


def token_of(env: Mapping[str, str], api_url: str = DEFAULT_API_URL) -> str:
    auth = auth_from_env(env, api_url)
    assert isinstance(auth, Auth.Token)
    return auth.token


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"GITHUB_TOKEN": "from-github"}, "from-github"),
        ({"GH_TOKEN": "from-gh"}, "from-gh"),
        ({"GH_TOKEN": "from-gh", "GITHUB_TOKEN": "from-github"}, "from-gh"),
        ({"GH_TOKEN": "  ", "GITHUB_TOKEN": "from-github"}, "from-github"),  # blank: unset
        ({"GITHUB_TOKEN": " padded\n"}, "padded"),
        # On github.com the enterprise variables are not used.
        ({"GH_ENTERPRISE_TOKEN": "ghe", "GITHUB_TOKEN": "from-github"}, "from-github"),
    ],
)
def test_token_for_github_com(env: dict[str, str], expected: str) -> None:
    assert token_of(env) == expected
    assert token_of(env, DEFAULT_API_URL + "/") == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"GH_ENTERPRISE_TOKEN": "ghe-gh", "GH_TOKEN": "gh", "GITHUB_TOKEN": "github"}, "ghe-gh"),
        ({"GITHUB_ENTERPRISE_TOKEN": "ghe-github", "GH_TOKEN": "gh"}, "ghe-github"),
        ({"GH_ENTERPRISE_TOKEN": "ghe-gh", "GITHUB_ENTERPRISE_TOKEN": "ghe-github"}, "ghe-gh"),
        ({"GH_TOKEN": "gh", "GITHUB_TOKEN": "github"}, "gh"),  # falls back to the plain ones
        ({"GITHUB_TOKEN": "github"}, "github"),
    ],
)
def test_enterprise_tokens_come_first_for_another_api_url(
    env: dict[str, str], expected: str
) -> None:
    assert token_of(env, GHES) == expected


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"GITHUB_TOKEN": "", "GH_TOKEN": "   "},
        {"GH_ENTERPRISE_TOKEN": "ghe", "GITHUB_ENTERPRISE_TOKEN": "ghe"},  # not for github.com
        {"GITHUB_API_URL": "https://api.github.com"},
    ],
)
def test_no_credentials(env: dict[str, str]) -> None:
    with pytest.raises(GitHubError) as caught:
        auth_from_env(env, DEFAULT_API_URL)
    assert str(caught.value) == NO_CREDENTIALS
    assert "GITHUB_TOKEN" in str(caught.value)


# --- GitHub App settings ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def test_app_takes_precedence_over_a_token(private_key_pem: str) -> None:
    env = {
        "GITHUB_TOKEN": "ignored",
        "CAMPAIGN_SYNC_APP_ID": "424242",
        "CAMPAIGN_SYNC_APP_PRIVATE_KEY": private_key_pem,
        "CAMPAIGN_SYNC_APP_INSTALLATION_ID": " 77 ",
    }
    auth = auth_from_env(env, DEFAULT_API_URL)
    assert isinstance(auth, Auth.AppInstallationAuth)
    assert auth.installation_id == 77


@pytest.mark.parametrize("key", [None, "", "  \n"])
def test_app_without_a_private_key(key: str | None) -> None:
    env = {"CAMPAIGN_SYNC_APP_ID": "1", "CAMPAIGN_SYNC_APP_INSTALLATION_ID": "2"}
    if key is not None:
        env["CAMPAIGN_SYNC_APP_PRIVATE_KEY"] = key
    with pytest.raises(GitHubError) as caught:
        auth_from_env(env, DEFAULT_API_URL)
    assert str(caught.value) == (
        "CAMPAIGN_SYNC_APP_ID is set but CAMPAIGN_SYNC_APP_PRIVATE_KEY (or _FILE) is not"
    )


def test_app_private_key_file_that_cannot_be_read(tmp_path: Path) -> None:
    env = {
        "CAMPAIGN_SYNC_APP_ID": "1",
        "CAMPAIGN_SYNC_APP_PRIVATE_KEY_FILE": str(tmp_path / "missing.pem"),
        "CAMPAIGN_SYNC_APP_INSTALLATION_ID": "2",
    }
    with pytest.raises(GitHubError) as caught:
        auth_from_env(env, DEFAULT_API_URL)
    assert str(caught.value) == (
        "cannot read CAMPAIGN_SYNC_APP_PRIVATE_KEY_FILE: No such file or directory"
    )


def test_app_private_key_file_that_is_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pem"
    empty.write_text("\n", encoding="utf-8")
    env = {
        "CAMPAIGN_SYNC_APP_ID": "1",
        "CAMPAIGN_SYNC_APP_PRIVATE_KEY_FILE": str(empty),
        "CAMPAIGN_SYNC_APP_INSTALLATION_ID": "2",
    }
    with pytest.raises(GitHubError, match=r"PRIVATE_KEY \(or _FILE\) is not$"):
        auth_from_env(env, DEFAULT_API_URL)


def test_app_inline_key_wins_over_the_file(private_key_pem: str, tmp_path: Path) -> None:
    env = {
        "CAMPAIGN_SYNC_APP_ID": "1",
        "CAMPAIGN_SYNC_APP_PRIVATE_KEY": private_key_pem,
        "CAMPAIGN_SYNC_APP_PRIVATE_KEY_FILE": str(tmp_path / "not-read.pem"),
        "CAMPAIGN_SYNC_APP_INSTALLATION_ID": "2",
    }
    assert isinstance(auth_from_env(env, DEFAULT_API_URL), Auth.AppInstallationAuth)


@pytest.mark.parametrize("installation", [None, "", "abc", "12a", "-3", "1.5"])
def test_app_installation_id_must_be_a_number(
    private_key_pem: str, installation: str | None
) -> None:
    env = {"CAMPAIGN_SYNC_APP_ID": "1", "CAMPAIGN_SYNC_APP_PRIVATE_KEY": private_key_pem}
    if installation is not None:
        env["CAMPAIGN_SYNC_APP_INSTALLATION_ID"] = installation
    with pytest.raises(GitHubError) as caught:
        auth_from_env(env, DEFAULT_API_URL)
    assert str(caught.value) == (
        "CAMPAIGN_SYNC_APP_ID is set but CAMPAIGN_SYNC_APP_INSTALLATION_ID is not a number; "
        "find it in the organization's settings under GitHub Apps (the number in the "
        "Configure URL)"
    )


# --- a real GitHub App flow against the fake --------------------------------------------------


@pytest.fixture
def app_fake(fake_github_factory: Callable[..., FakeGitHub]) -> FakeGitHub:
    # A real clock: PyGithub signs the app's JWT with the real time, and the fake checks
    # its expiry against its own clock.
    return fake_github_factory(repos=4, alerts=60, seed=7, simulated_clock=False)


def app_env(fake: FakeGitHub, **settings: str) -> dict[str, str]:
    return {
        "CAMPAIGN_SYNC_APP_ID": str(fake.app_id),
        "CAMPAIGN_SYNC_APP_INSTALLATION_ID": str(fake.installation_id()),
        **settings,
    }


def key_settings(how: str, pem: str, tmp_path: Path) -> dict[str, str]:
    if how == "inline":
        return {"CAMPAIGN_SYNC_APP_PRIVATE_KEY": pem}
    path = tmp_path / "app.pem"
    path.write_text(pem, encoding="ascii")
    return {"CAMPAIGN_SYNC_APP_PRIVATE_KEY_FILE": str(path)}


def minted(fake: FakeGitHub) -> list[dict[str, object]]:
    return [
        e for e in fake.requests() if e["method"] == "POST" and e["route"] == ACCESS_TOKENS_ROUTE
    ]


@pytest.mark.parametrize("how", ["inline", "file"])
def test_app_installation_lists_alerts(
    app_fake: FakeGitHub, private_key_pem: str, tmp_path: Path, how: str
) -> None:
    env = app_env(app_fake, **key_settings(how, private_key_pem, tmp_path))
    auth = auth_from_env(env, app_fake.url)
    transport = Transport(auth=auth, api_url=app_fake.url)
    result = GitHubSource(transport, "acme", include_repositories=False).fetch()
    kinds = ("code-scanning", "secret-scanning", "dependabot")
    assert len(result.alerts) == sum(app_fake.alert_count(k) for k in kinds)
    (post,) = minted(app_fake)
    assert post["path"] == f"/app/installations/{app_fake.installation_id()}/access_tokens"
    assert post["status"] == 201
    listings = [e for e in app_fake.requests() if e["method"] == "GET"]
    assert listings
    assert all(e["status"] == 200 for e in listings)
    # The listings used the minted installation token, not the JWT or a PAT.
    assert {e["token"] for e in listings} == {auth.token[-4:]}
    assert auth.token.startswith("ghs_")


def test_an_app_without_an_installation_id_finds_it_on_the_organization(
    app_fake: FakeGitHub,
    private_key_pem: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = app_env(app_fake, CAMPAIGN_SYNC_APP_PRIVATE_KEY=private_key_pem)
    del env["CAMPAIGN_SYNC_APP_INSTALLATION_ID"]
    code, out, err = run_alerts(app_fake, env, monkeypatch, capsys)
    assert (code, err) == (0, ""), err
    assert out
    found = [e for e in app_fake.requests() if e["path"] == "/orgs/acme/installation"]
    assert [(e["method"], e["status"]) for e in found] == [("GET", 200)]
    (post,) = minted(app_fake)
    assert post["path"] == f"/app/installations/{app_fake.installation_id()}/access_tokens"
    # For a repository, its installation (the comment command's --repo).
    auth = auth_from_env(env, app_fake.url, "acme/" + app_fake.repo_names()[0].split("/")[1])
    assert isinstance(auth, Auth.AppInstallationAuth)
    assert auth.installation_id == app_fake.installation_id()


def test_an_app_not_installed_on_the_organization_says_so(
    app_fake: FakeGitHub, private_key_pem: str
) -> None:
    env = app_env(app_fake, CAMPAIGN_SYNC_APP_PRIVATE_KEY=private_key_pem)
    del env["CAMPAIGN_SYNC_APP_INSTALLATION_ID"]
    with pytest.raises(GitHubError) as caught:
        auth_from_env(env, app_fake.url, "globex")
    assert str(caught.value).startswith(
        f"the GitHub App {app_fake.app_id} is not installed on globex (404 "
    )
    assert str(caught.value).endswith("install it there, or set CAMPAIGN_SYNC_APP_INSTALLATION_ID")
    assert private_key_pem.splitlines()[1] not in str(caught.value)


# End to end through the CLI's error boundary: one line, exit 1, no traceback.


def run_alerts(
    fake: FakeGitHub,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str, str]:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = cli.main(["alerts", "--source", "github:acme", "--api-url", fake.url, "--count"])
    out, err = capsys.readouterr()
    return code, out, err


def test_app_with_the_wrong_app_id(
    app_fake: FakeGitHub,
    private_key_pem: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = app_env(app_fake, CAMPAIGN_SYNC_APP_PRIVATE_KEY=private_key_pem)
    env["CAMPAIGN_SYNC_APP_ID"] = "1"
    code, out, err = run_alerts(app_fake, env, monkeypatch, capsys)
    assert (code, out) == (1, "")
    assert err == (
        "error: GitHub App authentication failed (HTTP 401): 'Issuer' claim ('iss') must be an "
        "Integer or a String representing the App ID\n"
    )
    assert private_key_pem.splitlines()[1] not in err


def test_app_with_an_unknown_installation(
    app_fake: FakeGitHub,
    private_key_pem: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = app_env(app_fake, CAMPAIGN_SYNC_APP_PRIVATE_KEY=private_key_pem)
    env["CAMPAIGN_SYNC_APP_INSTALLATION_ID"] = "999"
    code, out, err = run_alerts(app_fake, env, monkeypatch, capsys)
    assert (code, out) == (1, "")
    assert err == "error: GitHub App authentication failed (HTTP 404): Not Found\n"


def test_app_settings_error_through_the_cli(
    app_fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = app_env(app_fake)  # no private key
    code, out, err = run_alerts(app_fake, env, monkeypatch, capsys)
    assert (code, out) == (1, "")
    assert err == (
        "error: CAMPAIGN_SYNC_APP_ID is set but CAMPAIGN_SYNC_APP_PRIVATE_KEY (or _FILE) is not\n"
    )
    assert minted(app_fake) == []


def test_app_private_key_that_is_not_a_key(
    app_fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = app_env(app_fake, CAMPAIGN_SYNC_APP_PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\nx\n")
    code, out, err = run_alerts(app_fake, env, monkeypatch, capsys)
    assert "Traceback" not in err
    assert (code, out) == (1, "")
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "CAMPAIGN_SYNC_APP_PRIVATE_KEY" in err


# --- issue 13, finding 1: a pull request must not choose where tokens go ----------------------


@pytest.mark.parametrize(
    "command",
    [
        ["alerts", "--source", "github:acme", "--count"],
        ["comment", "--repo", "acme/campaigns", "--pr", "1", "--body-file", "-"],
    ],
    ids=["alerts", "comment"],
)
@pytest.mark.parametrize("with_app", [False, True], ids=["token", "app"])
def test_config_naming_another_host_sends_nothing_anywhere(
    fake_github_factory: Callable[..., FakeGitHub],
    private_key_pem: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    with_app: bool,
) -> None:
    home = fake_github_factory(repos=2, alerts=5, seed=1, simulated_clock=False)
    attacker = fake_github_factory(repos=2, alerts=5, seed=2, simulated_clock=False)
    # The pull request's branch changed api-url to a host its author controls.
    (tmp_path / "campaign-sync.yml").write_text(f"api-url: {attacker.url}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("plan\n"))
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    secret = "ghp_" + "x" * 36
    monkeypatch.setenv("GITHUB_TOKEN", secret)
    monkeypatch.setenv("GITHUB_API_URL", home.url)
    if with_app:
        for name, value in app_env(home, CAMPAIGN_SYNC_APP_PRIVATE_KEY=private_key_pem).items():
            monkeypatch.setenv(name, value)
    home_before, attacker_before = len(home.requests()), len(attacker.requests())
    code = cli.main(command)
    out, err = capsys.readouterr()
    assert code == 1
    assert err.startswith("error: api-url in the config file names ")
    assert "GITHUB_API_URL" in err
    assert "Traceback" not in err
    assert len(attacker.requests()) == attacker_before == 0
    assert len(home.requests()) == home_before
    assert secret not in out + err


# --- issue 13, finding 10a: an odd answer from the installation-token endpoint ---------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"{}"),
        ("application/json", b'{"token": null}'),
        ("text/html", b"<html><body>Sign in</body></html>"),
    ],
)
def test_an_installation_token_answer_without_a_token_is_an_error_not_token_none(
    private_key_pem: str, content_type: str, body: bytes
) -> None:
    import http.server
    import threading

    seen: list[tuple[str, str, str | None]] = []

    class Odd(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.append((self.command, self.path, self.headers.get("Authorization")))
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Odd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        env = {
            "CAMPAIGN_SYNC_APP_ID": "1",
            "CAMPAIGN_SYNC_APP_INSTALLATION_ID": "2",
            "CAMPAIGN_SYNC_APP_PRIVATE_KEY": private_key_pem,
        }
        transport = Transport(auth=auth_from_env(env, url), api_url=url)
        with pytest.raises(GitHubError, match="answered without a token"):
            GitHubSource(transport, "acme", include_repositories=False).fetch()
    finally:
        server.shutdown()
        server.server_close()
    assert seen
    assert all(auth != "token None" for _, _, auth in seen)
    assert [path for _, path, _ in seen] == ["/app/installations/2/access_tokens"]


def test_the_cli_says_each_retry_on_stderr(
    fake_github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_github.set_faults(rate=0.2, kinds=["503"], seed=2)
    code, _, err = run_alerts(fake_github, {"GH_TOKEN": fake_github.token}, monkeypatch, capsys)
    assert code == 0, err
    retries = [line for line in err.splitlines() if "failed, retrying in" in line]
    assert retries, err
    assert all(": HTTP 503; attempt " in line for line in retries)
