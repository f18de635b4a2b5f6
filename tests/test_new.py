"""`campaign-sync new`: the file it writes is commented, valid as written, and never clobbered."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from campaign_sync.commands.new import DEFAULT_DURATION, new_campaign, render_campaign
from campaign_sync.config.loader import ValidationResult, validate_paths
from campaign_sync.config.templates import Template, builtin_templates
from campaign_sync.errors import ConfigError
from campaign_sync.model import Selection, Sla

TODAY = date(2026, 11, 28)
ENDS = date(2027, 2, 26)
CONTACT = "https://github.com/orgs/acme/discussions/1"
MANAGERS = ("mona", "@acme/appsec")

# None: a campaign without a template.
TEMPLATE_CHOICES: list[str | None] = [None, *sorted(builtin_templates())]


def _template(name: str | None) -> Template | None:
    return builtin_templates()[name] if name is not None else None


def _render(
    campaign_id: str,
    template_name: str | None,
    *,
    managers: tuple[str, ...] = MANAGERS,
    name: str | None = None,
) -> str:
    return render_campaign(
        campaign_id,
        template=_template(template_name),
        managers=managers,
        contact=CONTACT,
        ends=ENDS,
        name=name,
    )


def _validate_text(tmp_path: Path, campaign_id: str, text: str) -> ValidationResult:
    folder = tmp_path / "campaigns"
    folder.mkdir(exist_ok=True)
    path = folder / f"{campaign_id}.yml"
    path.write_text(text, encoding="utf-8")
    return validate_paths([path], today=TODAY, cwd=tmp_path)


def _new(
    tmp_path: Path,
    campaign_id: str,
    *,
    template_name: str | None = None,
    folder: Path | None = None,
    ends: date | None = None,
    force: bool = False,
) -> tuple[int, str]:
    out = io.StringIO()
    code = new_campaign(
        campaign_id,
        template_name=template_name,
        folder=folder or tmp_path / "campaigns",
        managers=MANAGERS,
        contact=CONTACT,
        ends=ends,
        today=TODAY,
        name=None,
        force=force,
        out=out,
    )
    return code, out.getvalue()


@pytest.mark.parametrize("name", TEMPLATE_CHOICES)
def test_rendered_file_validates_without_any_problem(tmp_path: Path, name: str | None) -> None:
    result = _validate_text(tmp_path, "my-campaign", _render("my-campaign", name))
    assert result.problems == ()
    assert [c.id for c in result.campaigns] == ["my-campaign"]


@pytest.mark.parametrize("name", TEMPLATE_CHOICES)
def test_written_file_validates_without_any_problem(tmp_path: Path, name: str | None) -> None:
    code, _ = _new(tmp_path, "my-campaign", template_name=name)
    assert code == 0
    path = tmp_path / "campaigns" / "my-campaign.yml"
    result = validate_paths([path], today=TODAY, cwd=tmp_path)
    assert result.problems == ()
    campaign = result.campaigns[0]
    assert campaign.ends == TODAY + DEFAULT_DURATION
    assert campaign.state == "draft"
    assert campaign.managers == MANAGERS
    assert campaign.contact == CONTACT


@pytest.mark.parametrize("name", TEMPLATE_CHOICES)
def test_rendered_file_is_commented(name: str | None) -> None:
    text = _render("my-campaign", name)
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../schemas/campaign.schema.json"
    comments = [line for line in lines if line.lstrip().startswith("#")]
    assert len(comments) >= 10
    assert "`campaign-sync validate`" in text
    # Each top-level section a user edits is explained by a comment right above it.
    for key in ("managers:", "contact:", "ends:", "state:", "sla:", "# sla:"):
        found = [i for i, line in enumerate(lines) if line.startswith(key)]
        assert all(lines[i - 1].startswith("#") for i in found), key
    assert any(line.startswith(("sla:", "# sla:")) for line in lines)
    assert text.endswith("\n")


@pytest.mark.parametrize("name", sorted(builtin_templates()))
def test_template_values_are_shown_in_comments(name: str) -> None:
    template = builtin_templates()[name]
    text = _render("my-campaign", name)
    lines = text.splitlines()
    assert f"# Campaign 'my-campaign', started from the built-in template {name!r}:" in lines
    assert f"#   {template.summary}" in lines
    assert f"  template: {name}" in lines
    for key in template.fragment["select"]:
        assert any(line.startswith(f"  # {key}: ") for line in lines), key
    for key in template.fragment["tracking"]:
        assert any(line.startswith(f"  # {key}: ") for line in lines), key
    if "sla" in template.fragment:
        assert any(line.startswith("# sla: ") for line in lines)
        assert not any(line.startswith("sla:") for line in lines)


@pytest.mark.parametrize("name", sorted(builtin_templates()))
def test_rendered_file_selects_what_the_template_selects(tmp_path: Path, name: str) -> None:
    template = builtin_templates()[name]
    result = _validate_text(tmp_path, "my-campaign", _render("my-campaign", name))
    campaign = result.campaigns[0]
    expected = Selection.from_data(
        {**template.fragment["select"], "template": name, "membership": "snapshot"}
    )
    assert campaign.select == expected
    if "sla" in template.fragment:
        assert campaign.sla == Sla.from_data(template.fragment["sla"])
    else:
        assert campaign.sla == Sla(critical=7, high=30)
    assert campaign.name == template.title
    assert campaign.description == template.description


def test_rendered_file_without_template() -> None:
    text = _render("sql-in-payments", None)
    lines = text.splitlines()
    assert lines[1] == "# Campaign 'sql-in-payments'. Check it with `campaign-sync validate`."
    assert 'name: "Sql in payments"' in lines
    assert "  alerts: [code-scanning]" in lines
    assert "  severity: [critical, high]" in lines
    assert "sla: {critical: 7, high: 30}" in lines
    assert "ends: 2027-02-26" in lines
    assert "state: draft" in lines
    assert "managers:" in lines
    assert "  - mona" in lines
    assert '  - "@acme/appsec"' in lines
    assert f"contact: {CONTACT}" in lines


def test_name_option_overrides_the_template_title(tmp_path: Path) -> None:
    text = _render("x", "xss", name='Fix "XSS": web & mobile')
    result = _validate_text(tmp_path, "x", text)
    assert result.problems == ()
    assert result.campaigns[0].name == 'Fix "XSS": web & mobile'


def test_ends_option_is_written(tmp_path: Path) -> None:
    code, _ = _new(tmp_path, "x", ends=date(2027, 3, 31))
    assert code == 0
    text = (tmp_path / "campaigns" / "x.yml").read_text(encoding="utf-8")
    assert "ends: 2027-03-31\n" in text


def test_default_ends_is_ninety_days_from_today() -> None:
    assert timedelta(days=90) == DEFAULT_DURATION


def test_new_reports_what_it_wrote(tmp_path: Path) -> None:
    code, out = _new(tmp_path, "x")
    path = tmp_path / "campaigns" / "x.yml"
    assert code == 0
    assert out == f"wrote {path}; edit it, then run `campaign-sync validate {path}`\n"
    assert path.read_text(encoding="utf-8") == render_campaign(
        "x", template=None, managers=MANAGERS, contact=CONTACT, ends=TODAY + DEFAULT_DURATION
    )


def test_new_creates_missing_folders(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    code, _ = _new(tmp_path, "x", folder=folder)
    assert code == 0
    assert (folder / "x.yml").is_file()


def test_new_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "campaigns" / "x.yml"
    path.parent.mkdir()
    path.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        _new(tmp_path, "x")
    assert str(info.value) == f"{path} already exists; pass --force to overwrite it"
    assert path.read_text(encoding="utf-8") == "keep me\n"


def test_new_overwrites_with_force(tmp_path: Path) -> None:
    path = tmp_path / "campaigns" / "x.yml"
    path.parent.mkdir()
    path.write_text("old\n", encoding="utf-8")
    code, _ = _new(tmp_path, "x", template_name="xss", force=True)
    assert code == 0
    assert "  template: xss\n" in path.read_text(encoding="utf-8")


ID_MESSAGE = (
    "campaign id {!r} must be 1 to 64 lowercase letters, digits and '-', "
    "starting and ending with a letter or digit"
)


@pytest.mark.parametrize(
    "bad_id",
    ["", "Sql", "-a", "a-", "a_b", "a.b", "a b", "a" * 65, "../evil", "a/b", "é", "a\n"],
)
def test_new_rejects_a_bad_id(tmp_path: Path, bad_id: str) -> None:
    with pytest.raises(ConfigError) as info:
        _new(tmp_path, bad_id)
    assert str(info.value) == ID_MESSAGE.format(bad_id)
    assert not (tmp_path / "campaigns").exists()


@pytest.mark.parametrize("reserved", ["con", "nul", "aux", "prn", "com1", "lpt9"])
def test_new_refuses_an_id_windows_reserves_as_validate_does(tmp_path: Path, reserved: str) -> None:
    """`new con` once wrote campaigns/con.yml, a file validate then refused (and Windows
    cannot check out): both now ask the same rule."""
    with pytest.raises(ConfigError) as info:
        _new(tmp_path, reserved)
    assert str(info.value) == (
        f"campaign id {reserved!r} is a device name Windows reserves, so its campaign file "
        "and report folder cannot exist there"
    )
    assert not (tmp_path / "campaigns").exists()


@pytest.mark.parametrize("good_id", ["a", "7", "a-b", "a--b", "x" * 64])
def test_new_accepts_a_good_id(tmp_path: Path, good_id: str) -> None:
    code, _ = _new(tmp_path, good_id)
    assert code == 0
    path = tmp_path / "campaigns" / f"{good_id}.yml"
    assert validate_paths([path], today=TODAY, cwd=tmp_path).problems == ()


def test_new_rejects_an_unknown_template(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        _new(tmp_path, "x", template_name="sql-injections")
    assert str(info.value) == (
        "unknown template 'sql-injections'; `campaign-sync templates` lists them"
    )
    assert not (tmp_path / "campaigns").exists()


def test_managers_that_look_like_yaml_scalars_stay_text(tmp_path: Path) -> None:
    text = _render("x", None, managers=("yes", "123", "null"))
    result = _validate_text(tmp_path, "x", text)
    assert result.problems == ()


def test_name_outside_the_basic_plane_round_trips(tmp_path: Path) -> None:
    text = _render("x", None, name="Fix \U0001f600 now")
    result = _validate_text(tmp_path, "x", text)
    assert result.problems == ()
    assert result.campaigns[0].name == "Fix \U0001f600 now"


def test_contact_is_written_as_given(tmp_path: Path) -> None:
    contact = "https://a.example/x #frag"
    text = render_campaign("x", template=None, managers=MANAGERS, contact=contact, ends=ENDS)
    result = _validate_text(tmp_path, "x", text)
    # Either kept verbatim (and then reported as not a URL), never silently cut short.
    assert not result.ok
    assert [p.path for p in result.problems] == ["contact"]
