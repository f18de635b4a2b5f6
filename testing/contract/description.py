"""Where GitHub's official descriptions are, and loading them once per process.

Both come from npm packages pinned in the repository's ``package-lock.json`` (``npm ci`` at
the root installs them): ``@octokit/openapi`` (GitHub's REST description for api.github.com,
re-serialised from github/rest-api-description) and ``@octokit/graphql-schema`` (GitHub's
public GraphQL schema). Nothing here is edited by hand: the only changes are mechanical and
listed in ``normalise``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = Path(os.environ.get("CAMPAIGN_SYNC_NODE_MODULES") or ROOT / "node_modules")
REST_PACKAGE = "@octokit/openapi"
GRAPHQL_PACKAGE = "@octokit/graphql-schema"
# The bundled form (13 MB, components by $ref) loads in a fraction of a second; the
# dereferenced one (73 MB) takes about ten times as long and gains nothing here.
REST_FILE = "generated/api.github.com.json"
# The package ships the schema twice: ``schema.graphql`` (SDL) and ``schema.json`` (the
# introspection result). The JSON builds in about a second; the SDL takes five and, at 15.26.1,
# only builds with SDL validation off (``EnterpriseOwnerInfo.repositoryDeployKeySetting`` is
# defined twice in it). Same schema, so the JSON it is.
GRAPHQL_FILE = "schema.json"
INSTALL_HINT = "npm ci at the repository root"


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    version: str
    path: Path  # the description file itself

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


def _package(name: str, file: str) -> Package | None:
    folder = NODE_MODULES / name
    path = folder / file
    try:
        version = json.loads((folder / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None
    return Package(name, str(version), path) if path.is_file() else None


def rest_package() -> Package | None:
    return _package(REST_PACKAGE, REST_FILE)


def graphql_package() -> Package | None:
    return _package(GRAPHQL_PACKAGE, GRAPHQL_FILE)


def missing() -> list[str]:
    """The packages that are not installed (empty when the judge can run)."""
    return [
        name
        for name, found in ((REST_PACKAGE, rest_package()), (GRAPHQL_PACKAGE, graphql_package()))
        if found is None
    ]


def normalise(node: Any) -> None:
    """The mechanical changes to the official description, in place. Both make
    ``nullable: true`` mean what GitHub means by it ("or null") where OpenAPI 3.0.3's strict
    reading, which openapi-schema-validator follows, would ignore it:

    - nullable enums without ``null`` among the values, e.g.
      ``code-scanning-alert-dismissed-reason``, null on every open alert: ``null`` is
      appended to the enum;
    - ``nullable`` beside a ``oneOf``/``anyOf``/``allOf``/``$ref`` and no ``type`` (3.0.3:
      "only meaningful in combination with a type"), e.g. ``custom-property-value.value``,
      where null unsets a property: the schema becomes ``anyOf [schema, {enum: [null]}]``.

    Nothing else is changed.
    """
    if isinstance(node, dict):
        if node.get("nullable") is True:
            enum = node.get("enum")
            if isinstance(enum, list) and None not in enum:
                node["enum"] = [*enum, None]
            elif "type" not in node and any(k in node for k in COMPOSED):
                rest = {k: v for k, v in node.items() if k != "nullable"}
                node.clear()
                node["anyOf"] = [rest, {"enum": [None]}]
        for value in node.values():
            normalise(value)
    elif isinstance(node, list):
        for value in node:
            normalise(value)


COMPOSED = ("oneOf", "anyOf", "allOf", "$ref")


@cache
def rest_description() -> dict[str, Any]:
    """The official REST description, loaded and normalised once per process."""
    package = rest_package()
    if package is None:
        raise FileNotFoundError(f"{REST_PACKAGE} is not installed: {INSTALL_HINT}")
    try:
        import orjson

        loaded: dict[str, Any] = orjson.loads(package.path.read_bytes())
    except ImportError:  # pragma: no cover - orjson is a runtime dependency
        loaded = json.loads(package.path.read_bytes())
    normalise(loaded)
    return loaded


@cache
def graphql_introspection() -> dict[str, Any]:
    """The official GraphQL schema's introspection result, loaded once per process."""
    package = graphql_package()
    if package is None:
        raise FileNotFoundError(f"{GRAPHQL_PACKAGE} is not installed: {INSTALL_HINT}")
    loaded: dict[str, Any] = json.loads(package.path.read_bytes())
    return loaded.get("data", loaded)
