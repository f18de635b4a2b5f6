"""Alert JSON, built by string concatenation from cached fragments (rule, tool, advisory,
repository, user) so a page of 100 org-level alerts renders in a few milliseconds."""

from __future__ import annotations

import hashlib
from json.encoder import encode_basestring

from .catalog_misc import is_test_path
from .model import Advisory, CodeScanningAlert, DependabotAlert, Rule, SecretScanningAlert, Tool
from .render_common import Renderer, dumps, ts_json

_MASK160 = (1 << 160) - 1
_ANALYSIS: dict[str, tuple[str, str]] = {
    "CodeQL": (".github/workflows/codeql.yml:analyze", "/language:{lang}"),
    "Semgrep OSS": (".github/workflows/semgrep.yml:semgrep", "semgrep"),
    "Trivy": (".github/workflows/trivy.yml:scan", "trivy"),
}


def fake_sha(number: int, salt: int = 0) -> str:
    """A stable 40-hex "commit" derived from a number."""
    return (
        f"{((number + salt * 7919) * 0x9E3779B97F4A7C15F39CC0605CEDC8341082276B) & _MASK160:040x}"
    )


def secret_value(alert: SecretScanningAlert) -> str:
    st = alert.secret_type
    digest = hashlib.blake2b(f"{alert.gid}:{st.slug}".encode(), digest_size=64).digest()
    alphabet = st.alphabet
    body = "".join(alphabet[b % len(alphabet)] for b in digest[: st.length])
    return st.prefix + body


def _json_str(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _classifications(path: str) -> str:
    return '["test"]' if is_test_path(path) else "[]"


class AlertRenderer:
    """Renders the three alert shapes. Repository fragments come from the shared renderer."""

    def __init__(self, common: Renderer) -> None:
        self.c = common
        self.api = common.api
        self.html = common.html
        self._tools: dict[int, str] = {}
        self._rules: dict[tuple[int, bool], str] = {}
        self._instances: dict[int, str] = {}
        self._advisories: dict[int, tuple[str, str, str]] = {}
        self._secret_types: dict[int, str] = {}

    # fragments -----------------------------------------------------------------------

    def _tool(self, tool: Tool) -> str:
        cached = self._tools.get(id(tool))
        if cached is None:
            cached = dumps({"name": tool.name, "guid": tool.guid, "version": tool.version})
            self._tools[id(tool)] = cached
        return cached

    def _rule(self, rule: Rule, full: bool) -> str:
        cached = self._rules.get((id(rule), full))
        if cached is not None:
            return cached
        summary = {
            "id": rule.id,
            "severity": rule.severity,
            "tags": list(rule.tags),
            "description": rule.description,
            "name": rule.id,
            "security_severity_level": rule.security_severity_level,
        }
        full_rule = {
            **summary,
            "full_description": rule.full_description,
            "help": f"# {rule.description}\n\n{rule.full_description}",
            "help_uri": rule.help_uri,
        }
        self._rules[(id(rule), False)] = dumps(summary)
        self._rules[(id(rule), True)] = dumps(full_rule)
        return self._rules[(id(rule), full)]

    def _instance_prefix(self, rule: Rule) -> str:
        cached = self._instances.get(id(rule))
        if cached is not None:
            return cached
        analysis_key, category = _ANALYSIS[rule.tool.name]
        lang = rule.language
        prefix = (
            '{"ref":"refs/heads/main","analysis_key":'
            + dumps(analysis_key)
            + ',"environment":'
            + dumps(dumps({"language": lang}) if rule.tool.name == "CodeQL" else "{}")
            + ',"category":'
            + dumps(category.format(lang=lang))
            + ',"message":{"text":'
            + dumps(rule.message)
            + '},"state":'
        )
        self._instances[id(rule)] = prefix
        return prefix

    def forget_advisory(self, adv: Advisory) -> None:
        """Render ``adv`` afresh after a change (severity, a patched version)."""
        self._advisories.pop(id(adv), None)

    def _advisory(self, adv: Advisory) -> tuple[str, str, str]:
        cached = self._advisories.get(id(adv))
        if cached is None:
            package = {"ecosystem": adv.ecosystem, "name": adv.package}
            patched = (
                None
                if adv.first_patched_version is None
                else {"identifier": adv.first_patched_version}
            )
            vuln = {
                "package": package,
                "severity": adv.severity,
                "vulnerable_version_range": adv.vulnerable_version_range,
                "first_patched_version": patched,
            }
            identifiers = [{"value": adv.ghsa_id, "type": "GHSA"}]
            references = [{"url": f"{self.html}/advisories/{adv.ghsa_id}"}]
            if adv.cve_id:
                identifiers.append({"value": adv.cve_id, "type": "CVE"})
                references.insert(0, {"url": f"https://nvd.nist.gov/vuln/detail/{adv.cve_id}"})
            cvss = {"vector_string": adv.cvss_vector, "score": adv.cvss_score}
            advisory = {
                "ghsa_id": adv.ghsa_id,
                "cve_id": adv.cve_id,
                "summary": adv.summary,
                "description": adv.description,
                "vulnerabilities": [vuln],
                "severity": adv.severity,
                "classification": "general",
                "identifiers": identifiers,
                "references": references,
                "published_at": ts_json(adv.published_at).strip('"'),
                "updated_at": ts_json(adv.updated_at).strip('"'),
                "withdrawn_at": None,
                "cvss": cvss,
                "cvss_severities": {"cvss_v3": cvss, "cvss_v4": None},
                "epss": {"percentage": adv.epss_percentage, "percentile": adv.epss_percentile},
                "cwes": [{"cwe_id": cid, "name": name} for cid, name in adv.cwes],
            }
            cached = (dumps(package), dumps(advisory), dumps(vuln))
            self._advisories[id(adv)] = cached
        return cached

    def _repo_api(self, alert: CodeScanningAlert | DependabotAlert | SecretScanningAlert) -> str:
        repo = alert.repo
        cached = repo.cache.get("api")
        if cached is None:
            cached = repo.cache["api"] = f"{self.api}/repos/{repo.full_name}"
        return cached

    def _repo_html(self, alert: CodeScanningAlert | DependabotAlert | SecretScanningAlert) -> str:
        repo = alert.repo
        cached = repo.cache.get("html")
        if cached is None:
            cached = repo.cache["html"] = f"{self.html}/{repo.full_name}"
        return cached

    # alerts --------------------------------------------------------------------------

    def code_scanning(self, a: CodeScanningAlert, *, with_repo: bool, full: bool = False) -> str:
        url = f"{self._repo_api(a)}/code-scanning/alerts/{a.number}"
        end_line = a.start_line + (a.gid % 3 == 0)
        end_col = a.start_column + 8 + a.gid % 30
        classes = _classifications(a.path)
        # The schema `code-scanning-alert-state` is `"nullable": true` ("State of a code
        # scanning alert."), for the alert and its most_recent_instance alike.
        state = "null" if a.state is None else f'"{a.state}"'
        parts = [
            f'{{"number":{a.number},"created_at":{ts_json(a.created)},'
            f'"updated_at":{ts_json(a.updated)},"url":"{url}",'
            f'"html_url":"{self._repo_html(a)}/security/code-scanning/{a.number}",'
            f'"state":{state},"fixed_at":{ts_json(a.fixed_at)},'
            f'"dismissed_by":{self.c.user_json(a.dismissed_by)},'
            f'"dismissed_at":{ts_json(a.dismissed_at)},'
            f'"dismissed_reason":{_json_str(a.dismissed_reason)},'
            f'"dismissed_comment":{_json_str(a.dismissed_comment)},'
            f'"rule":{self._rule(a.rule, full)},"tool":{self._tool(a.rule.tool)},'
            f'"most_recent_instance":{self._instance_prefix(a.rule)}{state},'
            f'"commit_sha":"{fake_sha(a.gid)}","location":{{"path":{_json_str(a.path)},'
            f'"start_line":{a.start_line},"end_line":{end_line},'
            f'"start_column":{a.start_column},"end_column":{end_col}}},'
            f'"classifications":{classes}}},"instances_url":"{url}/instances",'
            f'"dismissal_approved_by":null,"assignees":[]'
        ]
        if with_repo:
            parts.append(',"repository":')
            parts.append(self.c.simple_repo_json(a.repo))
        parts.append("}")
        return "".join(parts)

    def dependabot(self, a: DependabotAlert, *, with_repo: bool) -> str:
        package, advisory, vuln = self._advisory(a.advisory)
        url = f"{self._repo_api(a)}/dependabot/alerts/{a.number}"
        parts = [
            f'{{"number":{a.number},"state":"{a.state}","dependency":{{"package":{package},'
            f'"manifest_path":{_json_str(a.manifest_path)},"scope":{_json_str(a.scope)},'
            f'"relationship":{_json_str(a.relationship)}}},'
            f'"security_advisory":{advisory},"security_vulnerability":{vuln},'
            f'"url":"{url}","html_url":"{self._repo_html(a)}/security/dependabot/{a.number}",'
            f'"created_at":{ts_json(a.created)},"updated_at":{ts_json(a.updated)},'
            f'"dismissed_at":{ts_json(a.dismissed_at)},'
            f'"dismissed_by":{self.c.user_json(a.dismissed_by)},'
            f'"dismissed_reason":{_json_str(a.dismissed_reason)},'
            f'"dismissed_comment":{_json_str(a.dismissed_comment)},'
            f'"fixed_at":{ts_json(a.fixed_at)},'
            f'"auto_dismissed_at":{ts_json(a.auto_dismissed_at)},"dismissal_request":null,'
            f'"assignees":[]'
        ]
        if with_repo:
            parts.append(',"repository":')
            parts.append(self.c.simple_repo_json(a.repo))
        parts.append("}")
        return "".join(parts)

    def secret_scanning(self, a: SecretScanningAlert, *, with_repo: bool, hide_secret: bool) -> str:
        st = a.secret_type
        st_fragment = self._secret_types.get(id(st))
        if st_fragment is None:
            st_fragment = self._secret_types[id(st)] = (
                f'"secret_type":{dumps(st.slug)},'
                f'"secret_type_display_name":{dumps(st.display_name)},'
                f'"provider":{_json_str(st.provider)},"provider_slug":{_json_str(st.provider_slug)}'
            )
        api = self._repo_api(a)
        url = f"{api}/secret-scanning/alerts/{a.number}"
        blob = fake_sha(a.gid, 1)
        commit = fake_sha(a.gid, 2)
        secret = "" if hide_secret else f'"secret":{_json_str(secret_value(a))},'
        # `updated_at` is `nullable-alert-updated-at` in the schemas of secret scanning
        # alerts ("The time that the alert was last updated", "nullable": true).
        updated = ts_json(a.updated) if a.updated_known else "null"
        parts = [
            f'{{"number":{a.number},"created_at":{ts_json(a.created)},'
            f'"updated_at":{updated},"url":"{url}",'
            f'"html_url":"{self._repo_html(a)}/security/secret-scanning/{a.number}",'
            f'"locations_url":"{url}/locations","state":"{a.state}",{st_fragment},'
            f'"validity":"{a.validity}",{secret}'
            f'"resolution":{_json_str(a.resolution)},'
            f'"resolved_by":{self.c.user_json(a.resolved_by)},'
            f'"resolved_at":{ts_json(a.resolved_at)},'
            f'"resolution_comment":{_json_str(a.resolution_comment)},'
            f'"push_protection_bypassed":false,"push_protection_bypassed_by":null,'
            f'"push_protection_bypassed_at":null,"push_protection_bypass_request_reviewer":null,'
            f'"push_protection_bypass_request_reviewer_comment":null,'
            f'"push_protection_bypass_request_comment":null,'
            f'"push_protection_bypass_request_html_url":null,'
            f'"publicly_leaked":{"true" if a.publicly_leaked else "false"},'
            f'"multi_repo":{"true" if a.multi_repo else "false"},"is_base64_encoded":false,'
            f'"first_location_detected":{{"path":{_json_str(a.path)},"start_line":{a.start_line},'
            f'"end_line":{a.start_line},"start_column":{1 + a.gid % 20},'
            f'"end_column":{41 + a.gid % 20},"blob_sha":"{blob}",'
            f'"blob_url":"{api}/git/blobs/{blob}","commit_sha":"{commit}",'
            f'"commit_url":"{api}/git/commits/{commit}"}},"has_more_locations":false,'
            f'"assigned_to":null,"closure_request_comment":null,'
            f'"closure_request_reviewer_comment":null,"closure_request_reviewer":null'
        ]
        if with_repo:
            parts.append(',"repository":')
            parts.append(self.c.simple_repo_json(a.repo))
        parts.append("}")
        return "".join(parts)
