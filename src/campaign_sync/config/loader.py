"""Find, load and validate campaign files and the repository config, collecting every problem.

A broken file never hides the others: each file yields its data or its problems, and the
result carries all of them, sorted by file, line and column.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from campaign_sync.config import checks
from campaign_sync.config.repo_config import CONFIG_FILENAMES, RepoConfig, is_config_file
from campaign_sync.config.schema import schema_problems
from campaign_sync.config.templates import Template, apply_template, builtin_templates
from campaign_sync.config.yaml_loader import DocumentError, load_yaml_file
from campaign_sync.errors import ConfigError
from campaign_sync.model import Campaign
from campaign_sync.problems import Problem

YAML_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True, slots=True)
class ValidationResult:
    files: tuple[str, ...]
    campaigns: tuple[Campaign, ...]
    config: RepoConfig | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors


def is_relative_folder(value: str) -> bool:
    """A folder the config may name: relative, no '..' (the schema's rule, checked before
    the folder is used, since `default_paths` reads the config before validating it)."""
    path = PurePosixPath(value)
    return bool(value) and not path.is_absolute() and ".." not in path.parts


def _config_path(root: Path) -> Path | None:
    return next((root / n for n in CONFIG_FILENAMES if (root / n).is_file()), None)


def campaigns_folder(root: Path) -> Path:
    """The campaigns folder the config names (``campaigns:``), else ``campaigns``.

    Read before the config is validated (`validate` reports a broken one), so only a
    relative folder inside the repository is taken: `campaigns: /` must not walk the disk.
    """
    config_path = _config_path(root)
    if config_path is not None:
        try:
            folder = load_yaml_file(config_path).data.get("campaigns")
        except DocumentError:
            folder = None  # reported when the config itself is validated
        if isinstance(folder, str) and is_relative_folder(folder):
            return root / folder
    return root / "campaigns"


def default_paths(root: Path) -> list[Path]:
    """What `validate` checks with no arguments: the config and its campaigns folder."""
    config_path = _config_path(root)
    return [*([config_path] if config_path else []), campaigns_folder(root)]


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def escapes(path: Path, root: Path) -> bool:
    """True if ``path`` lies in ``root`` as written but resolves outside it: a symbolic
    link (to the file, or to a folder on the way) that points out of the repository.

    Paths written outside ``root`` (a file named on the command line) are the user's
    choice and do not escape.
    """
    written = Path(os.path.abspath(path))
    real_root = root.resolve()
    if not (_inside(written, Path(os.path.abspath(root))) or _inside(written, real_root)):
        return False
    return not _inside(path.resolve(), real_root)


def discover(
    paths: Iterable[Path], *, root: Path | None = None, refused: list[Path] | None = None
) -> list[Path]:
    """Files named directly, plus every *.yml / *.yaml under folders, in a stable order.

    With ``root``, a file or folder inside it that resolves outside it (a symbolic link out
    of the repository) is not read: it goes to ``refused`` instead.
    """
    found: list[Path] = []
    seen: set[Path] = set()

    def refuse(path: Path) -> bool:
        if root is not None and escapes(path, root):
            if refused is not None:
                refused.append(path)
            return True
        return False

    for path in paths:
        if path.is_dir():
            if refuse(path):
                continue  # never walk it: it may be the whole disk
            candidates = sorted(
                p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()
            )
        else:
            candidates = [path]
        for candidate in candidates:
            if refuse(candidate):
                continue
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _outside_problem(path: Path, display: str) -> Problem:
    kind = "folder" if path.is_dir() else "file"
    return Problem(
        display,
        1,
        1,
        "",
        f"this {kind} is a symbolic link that leads outside the repository (to "
        f"{str(path.resolve())[:200]}); campaign files and folders must be inside the "
        "repository: copy the file in instead of linking to it",
        code="outside-repository",
    )


def display_path(path: Path, cwd: Path | None = None) -> str:
    """A path as GitHub annotations want it: relative to the working directory, with '/'."""
    base = cwd or Path.cwd()
    # As written first: a symbolic link is shown where it is, not where it leads.
    written = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    if not written.startswith(".."):
        return Path(written).as_posix()
    try:
        relative = os.path.relpath(path.resolve(), base.resolve())
    except ValueError:  # another drive on Windows
        return path.as_posix()
    if relative.startswith(".."):
        return path.as_posix()
    return Path(relative).as_posix()


def validate_paths(
    paths: Sequence[Path],
    *,
    today: date,
    templates: dict[str, Template] | None = None,
    cwd: Path | None = None,
) -> ValidationResult:
    """Load and check every campaign file and config file under ``paths``."""
    templates = builtin_templates() if templates is None else templates
    problems: list[Problem] = []
    loaded: list[checks.CampaignFile] = []
    ids: list[tuple[str, str]] = []
    config: RepoConfig | None = None
    refused: list[Path] = []
    # Symbolic links out of the repository are refused: a campaign file in a pull request
    # must not make CI read (and echo in errors) files elsewhere on the runner.
    files = discover(paths, root=cwd or Path.cwd(), refused=refused)
    problems.extend(_outside_problem(p, display_path(p, cwd)) for p in refused)
    displays = [display_path(p, cwd) for p in files]
    for path, display in zip(files, displays, strict=True):
        if is_config_file(path.name):
            config = _load_config(path, display, problems) or config
            continue
        campaign_id = path.stem
        ids.append((campaign_id, display))
        problems.extend(checks.check_id(campaign_id, display))
        item = _load_campaign(path, display, campaign_id, templates, problems)
        if item is not None:
            loaded.append(item)
            problems.extend(checks.check_dates(item, today))
            problems.extend(checks.check_placeholders(item))
    problems.extend(checks.check_unique_ids(ids))
    problems.extend(checks.check_native_limits(sorted(loaded, key=lambda i: i.id)))
    return ValidationResult(
        files=(*displays, *(display_path(p, cwd) for p in refused)),
        campaigns=tuple(sorted((i.campaign for i in loaded), key=lambda c: c.id)),
        config=config,
        problems=tuple(sorted(set(problems))),
    )


def _load_config(path: Path, display: str, problems: list[Problem]) -> RepoConfig | None:
    try:
        doc = load_yaml_file(path, display)
    except DocumentError as exc:
        problems.append(exc.problem)
        return None
    found = [*doc.problems, *schema_problems(doc, "config")]
    problems.extend(found)
    if found:
        return None
    return RepoConfig.from_data(doc.data, source=display)


def _load_campaign(
    path: Path,
    display: str,
    campaign_id: str,
    templates: dict[str, Template],
    problems: list[Problem],
) -> checks.CampaignFile | None:
    try:
        doc = load_yaml_file(path, display)
    except DocumentError as exc:
        problems.append(exc.problem)
        return None
    found = [
        *doc.problems,
        *schema_problems(doc, "campaign"),
        *checks.check_template(doc, templates),
        *checks.check_date_order(doc),
    ]
    problems.extend(found)
    if any(p.is_error for p in found):
        return None
    data = doc.data
    name = checks.template_name(data)
    if name is not None:
        data = apply_template(data, templates[name])
    campaign = Campaign.from_data(campaign_id, data, source=display)
    return checks.CampaignFile(id=campaign_id, doc=doc, campaign=campaign)


def load_campaigns(
    root: Path, *, today: date, leave_out: Collection[Path] = ()
) -> tuple[RepoConfig, tuple[Campaign, ...]]:
    """The config and campaigns of a campaigns repository, or ConfigError listing every error.

    ``leave_out``: campaign files not to read (in CI, those not committed at HEAD)."""
    paths = default_paths(root)
    if leave_out:
        left = {path.resolve() for path in leave_out}
        paths = [
            *paths[:-1],
            *(f for f in discover(paths[-1:], root=root) if f.resolve() not in left),
        ]
    result = validate_paths(paths, today=today, cwd=root)
    if not result.ok:
        shown = result.errors[:20]
        lines = [f"{p.file}:{p.line}:{p.column}: {p.message}" for p in shown]
        more = len(result.errors) - len(shown)
        if more:
            lines.append(f"... and {more} more; run `campaign-sync validate` to see them all")
        raise ConfigError("campaign files are invalid:\n  " + "\n  ".join(lines))
    config = result.config or RepoConfig()
    reports = root / config.reports_dir
    if escapes(reports, root):
        # apply writes the ledger there: never outside the repository.
        raise ConfigError(
            f"the reports folder {config.reports_dir!r} is a symbolic link that leads outside "
            f"the repository (to {str(reports.resolve())[:200]}); make it a plain folder"
        )
    return config, result.campaigns
