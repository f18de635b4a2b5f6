"""Dependabot advisories: a handful modelled on well-known public advisories, and a seeded
generator for the long tail (synthetic GHSA ids in GitHub's alphabet)."""

from __future__ import annotations

import calendar
import random

from .catalog_rules import catalog_data
from .model import Advisory

_D = catalog_data()
PACKAGES: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _D["packages"].items()}
MANIFESTS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _D["manifests"].items()}
# summary template, CWE, severity
_WEAKNESSES: tuple[tuple[str, int, str], ...] = tuple(
    (template, int(cwe), severity) for template, cwe, severity in _D["weaknesses"]
)
_GHSA_ALPHABET = "23456789cfghjmpqrvwx"
_SCORE = {"critical": 9.8, "high": 7.5, "medium": 5.3, "low": 3.1}
_VECTOR = {
    "critical": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "high": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    "medium": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    "low": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N",
}
_EPOCH_2018 = calendar.timegm((2018, 1, 1, 0, 0, 0))
_EPOCH_2025 = calendar.timegm((2025, 6, 1, 0, 0, 0))


def _ghsa(rng: random.Random) -> str:
    return "GHSA-" + "-".join(
        "".join(rng.choice(_GHSA_ALPHABET) for _ in range(4)) for _ in range(3)
    )


def _advisory(
    rng: random.Random,
    ghsa: str,
    cve: str | None,
    ecosystem: str,
    package: str,
    summary: str,
    severity: str,
    vrange: str,
    patched: str | None,
    score: float,
    cwe: int,
) -> Advisory:
    published = rng.randint(_EPOCH_2018, _EPOCH_2025)
    updated = min(_EPOCH_2025, published + rng.randint(0, 400 * 86400))
    epss = round(rng.random() ** 6 * 0.9, 5)
    return Advisory(
        ghsa_id=ghsa,
        cve_id=cve,
        summary=summary,
        description=f"{summary}. Versions {vrange} of `{package}` are affected."
        + (f" Upgrade to {patched} or later." if patched else " No patched version is available."),
        severity=severity,
        ecosystem=ecosystem,
        package=package,
        vulnerable_version_range=vrange,
        first_patched_version=patched,
        cvss_score=score,
        cvss_vector=_VECTOR[severity] if score else None,
        cwes=((f"CWE-{cwe}", catalog_data()["advisory_cwe_names"].get(str(cwe), "Weakness")),),
        published_at=published,
        updated_at=updated,
        epss_percentage=epss,
        epss_percentile=round(min(0.99999, epss * 1.1 + rng.random() * 0.1), 5),
    )


def build_advisories(rng: random.Random, synthetic_per_package: int) -> dict[str, list[Advisory]]:
    """Advisories grouped by ecosystem, deterministic for a given RNG state."""
    result: dict[str, list[Advisory]] = {eco: [] for eco in PACKAGES}
    for known in catalog_data()["advisories"]:
        result[known["ecosystem"]].append(
            _advisory(
                rng,
                known["ghsa_id"],
                known["cve_id"],
                known["ecosystem"],
                known["package"],
                known["summary"],
                known["severity"],
                known["vulnerable_version_range"],
                known["first_patched_version"],
                float(known["cvss"]),
                int(known["cwe"]),
            )
        )
    for eco, packages in PACKAGES.items():
        for pkg in packages:
            for _ in range(synthetic_per_package):
                template, cwe, sev = _WEAKNESSES[rng.randrange(len(_WEAKNESSES))]
                major, minor, patch = rng.randint(0, 6), rng.randint(0, 30), rng.randint(0, 20)
                fixed = f"{major}.{minor}.{patch + 1}"
                patched = None if rng.random() < 0.12 else fixed
                vrange = f"< {fixed}" if rng.random() < 0.6 else f">= {major}.0.0, < {fixed}"
                year = rng.randint(2019, 2025)
                cve = None if rng.random() < 0.15 else f"CVE-{year}-{rng.randint(1000, 52000)}"
                result[eco].append(
                    _advisory(
                        rng,
                        _ghsa(rng),
                        cve,
                        eco,
                        pkg,
                        template.format(p=pkg),
                        sev,
                        vrange,
                        patched,
                        _SCORE[sev] if rng.random() < 0.9 else 0.0,
                        cwe,
                    )
                )
    return result
