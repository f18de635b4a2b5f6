"""Alerts from SARIF 2.1.0 files, the output format of nearly every code scanner.

A SARIF file lists what a scanner finds *now*. Each result becomes an ``Alert`` of type
``code-scanning`` in state ``open``: a finding that an earlier scan had and a later one does
not is fixed. This source says so by leaving it out and naming, in ``SourceResult.covered``,
the id prefix of each repository and tool whose scan ran (a run with a ``results`` array,
empty or not): a member under a covered prefix that is not listed is fixed
(``membership.py``). A run without ``results`` (SARIF: the tool could not compute them)
covers nothing, and neither does a repository or tool no file names: unknown is never fixed.

Two exceptions to ``open``: a result the scanner reports as suppressed (``suppressions`` with
no status or ``accepted``, e.g. a ``# nosemgrep`` comment) is ``dismissed`` with reason
``suppressed`` and, as its comment, the suppression's ``justification`` (capped as
``dismissal.py`` says); results of kind ``pass``, ``notApplicable`` or ``informational`` and results
whose ``baselineState`` is ``absent`` are not findings and are left out.

Fields:

- repository: the ``repository`` argument, else the run's ``versionControlProvenance``
  ``repositoryUri`` (``https://github.com/OWNER/REPO(.git)``, any host, or
  ``git@HOST:OWNER/REPO.git``), else a SourceError telling the user to name it.
- tool: ``run.tool.driver.name``.
- rule: ``ruleId`` (or ``rule.id``), its descriptor found by ``rule.index``/``ruleIndex``
  in the tool component ``rule.toolComponent`` names (the driver by default), else by id
  in ``driver.rules`` and every ``tool.extensions[].rules`` (CodeQL keeps a query pack's
  rules there). ``rule_name`` is the descriptor's ``shortDescription``, else its ``name``.
- severity: the descriptor's ``properties["security-severity"]`` (a CVSS score, also read
  from the result's properties) mapped as GitHub does: >= 9.0 critical, >= 7.0 high,
  >= 4.0 medium, > 0 low; otherwise None.
- CWEs: from ``properties.tags`` of the descriptor and the result, CodeQL style
  (``external/cwe/cwe-089``) and Semgrep style (``CWE-89: Improper Neutralization ...``);
  from ``cwe``/``cwes``/``cwe_id`` properties (``"CWE-605"``, ``89``, lists of them); and
  from the descriptor's ``relationships`` to a ``CWE`` taxonomy.
- location: the first location's ``artifactLocation.uri`` (or the ``run.artifacts`` entry
  its ``index`` points at), percent-decoded, relative: ``file://`` is stripped and so is a
  ``file://`` base the run declares in ``originalUriBaseIds``; ``region.startLine``.
- message: ``message.text``, or ``message.id`` looked up in the descriptor's
  ``messageStrings``, with ``{0}``-style placeholders filled from ``message.arguments``.

Identity. ``id`` is ``code-scanning:OWNER/REPO:sarif/TOOL/FINGERPRINT``; TOOL is the driver
name as a slug (``semgrep-oss``), FINGERPRINT a 16-hex-digit SHA-256 digest that must stay
the same from one scan to the next while the finding stays, wherever its line moves.
In order of precedence, the digest is taken over the tool, rule id, file path and:

1. the first usable fingerprint the scanner wrote for the result: ``partialFingerprints``
   (``primaryLocationLineHash`` first, which CodeQL computes from the flagged line's
   content, not its number; then the other keys by name, except
   ``primaryLocationStartColumnFingerprint``, a column offset and not an identity), then
   ``fingerprints`` by key name (Semgrep's ``matchBasedId/v1``), then ``correlationGuid``.
   The key's name is part of the digest.
2. Otherwise, what stays the same when code moves: the flagged code
   (``region.snippet.text`` with runs of whitespace collapsed) or, without a snippet, the
   message text, plus an occurrence counter among the results with the same tool, rule,
   path and text, ordered by line (then column), so two identical findings in one file get
   distinct ids that survive lines being inserted above them.

A fingerprint key is useless in a run, and ignored for every result of that run, when any
of its values is a placeholder (not a string, empty, ``0``, ``none``, ``null``, or Semgrep
OSS's ``requires login``); when one value names two different lines of the same file (no
fingerprint of code can do that); or when every result that has the key has the same
value, in two or more files. Sharing a value across files or rules on the same line is
allowed: CodeQL's line hash is the same for identical lines anywhere. A consequence: a run
whose every finding sits on an identical line in different files uses step 2; its ids
change once a different finding joins it.

Results that get the same id (a scanner reporting one location twice) are one alert.
"""

from __future__ import annotations

from campaign_sync.sources.sarif.fields import (
    Json,
    cwes,
    repository_from_uri,
    security_severity,
)
from campaign_sync.sources.sarif.log import (
    alerts_from_log,
    read_log,
)
from campaign_sync.sources.sarif.source import (
    SarifSource,
)

__all__ = [
    "Json",
    "SarifSource",
    "alerts_from_log",
    "cwes",
    "read_log",
    "repository_from_uri",
    "security_severity",
]
