"""`campaign-sync history` on a long history: how long the auditor waits, and whether the
answer is right where `git log -S` is not.

    python bench/history.py [--commits 1000] [--campaigns 3] [--members 2000] [--runs 3]
                            [--seed 1] [--keep DIR] [--json]

Builds a campaigns repository with `git fast-import` (one process, seconds): a daily
reconcile commit by the bot for `--commits` days, each rewriting the ledgers (ledger.tsv
of `--members` alerts per campaign, a few changing state or joining each day) and
appending to history.csv; every 50 days a scope change, alternately a pull request merged
with a merge commit ("Merge pull request #N from ...") and a squashed one ("... (#N)").
Alert code-scanning:acme/web:1 joins on day 1 and is dismissed, reopened and fixed along
the way; code-scanning:acme/web:11 and :10 change on other days (a text search for ":1"
finds theirs too).

Then it times whole processes (`python -m campaign_sync history ...`, median of `--runs`):

- `history code-scanning:acme/web:1` (every version of every ledger read);
- `history sqli` (the campaign file's commits, their pull requests, member counts);
- the README's old recipe, `git log -S 'code-scanning:acme/web:1' -- reports/sqli/ledger.tsv`,
  for the time and for how many of the commits it names are about another alert.

It exits 1 when history's answer differs from what the generator did.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from campaign_sync.ledger import member_line  # noqa: E402
from campaign_sync.model import Member  # noqa: E402

BOT = b"campaign-sync[bot] <campaign-sync[bot]@users.noreply.github.com>"
PERSON = b"Mona Lisa <mona@example.com>"
DAY0 = 1_767_254_400  # 2026-01-01T08:00:00Z
HEADER = "# campaign-sync ledger v1: alert, state, joined, changed"
TARGET = "code-scanning:acme/web:1"
# The target's story: day -> state (the first: it joins). None: it leaves.
TARGET_STATES: dict[int, str | None] = {5: "open", 120: "dismissed", 400: "open", 700: "fixed"}
# Alerts whose ids start with the target's: :11 joins before it (so `git log -S` names the
# wrong commit for "when did :1 join"), is dismissed and leaves; :100 joins late.
DECOYS: dict[str, dict[int, str | None]] = {
    "code-scanning:acme/web:11": {1: "open", 60: "dismissed", 300: None},
    "code-scanning:acme/web:100": {500: "open"},
}


def _stamp(day: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(DAY0 + day * 86_400 - 7_200))


@dataclass
class Stream:
    """A `git fast-import` stream, written as it is made."""

    out: bytearray = field(default_factory=bytearray)
    marks: int = 0

    def mark(self) -> int:
        self.marks += 1
        return self.marks

    def blob(self, data: bytes) -> int:
        mark = self.mark()
        self.out += b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n"
        return mark

    def commit(
        self,
        ref: str,
        who: bytes,
        day: int,
        message: str,
        files: dict[str, int],
        *,
        parent: int | None,
        merge: int | None = None,
    ) -> int:
        mark = self.mark()
        text = message.encode()
        when = b"%d +0000" % (DAY0 + day * 86_400)
        self.out += b"commit %s\nmark :%d\n" % (ref.encode(), mark)
        self.out += b"author %s %s\ncommitter %s %s\n" % (who, when, who, when)
        self.out += b"data %d\n%s\n" % (len(text), text)
        if parent is not None:
            self.out += b"from :%d\n" % parent
        if merge is not None:
            self.out += b"merge :%d\n" % merge
        for path, blob in sorted(files.items()):
            self.out += b"M 100644 :%d %s\n" % (blob, path.encode())
        self.out += b"\n"
        return mark


@dataclass(frozen=True)
class Truth:
    target_events: int  # joined + state changes of the target in campaign sqli
    scope_changes: int
    pull_requests: int


def build(path: Path, *, commits: int, campaigns: int, members: int, seed: int) -> Truth:
    rng = random.Random(seed)
    names = ["sqli", *(f"campaign-{i}" for i in range(1, campaigns))]
    states: dict[str, dict[str, Member]] = {}
    for name in names:
        start = _stamp(1)
        states[name] = {
            f"code-scanning:acme/web:{n}": Member(
                f"code-scanning:acme/web:{n}", "open", start, start
            )
            for n in range(2, members + 4)
            if n not in (11, 100)
        }
    stream = Stream()
    main: int | None = None
    history_rows: dict[str, list[str]] = {n: ["date,open,fixed,dismissed,total"] for n in names}
    scope_text = {n: f"name: {n}\nselect: {{severity: [critical]}}\n" for n in names}
    files: dict[str, int] = {}
    for name in names:
        files[f"campaigns/{name}.yml"] = stream.blob(scope_text[name].encode())
    main = stream.commit("refs/heads/main", PERSON, 0, "Add the campaigns (#1)", files, parent=None)
    # sqli's file: added in the first commit, then changed by each pull request.
    scope_changes, pull_requests, target_events = 1, 1, 0
    for day in range(1, commits + 1):
        now = _stamp(day)
        sqli = states["sqli"]
        for alert, story in (*DECOYS.items(), (TARGET, TARGET_STATES)):
            if day in story:
                old = sqli.get(alert)
                state = story[day]
                if alert == TARGET:
                    target_events += 1
                if state is None:
                    del sqli[alert]
                    continue
                joined = old.joined if old else now
                closing = ("won't fix", "mona", "Only in tests") if state == "dismissed" else ()
                sqli[alert] = Member(alert, state, joined, now, *closing)  # type: ignore[arg-type]
        for name in names:
            ledger = states[name]
            for alert in rng.sample(sorted(ledger), k=min(3, len(ledger))):
                if alert in (TARGET, *DECOYS):
                    continue
                member = ledger[alert]
                state = "open" if member.state != "open" else rng.choice(["fixed", "dismissed"])
                ledger[alert] = Member(alert, state, member.joined, now)  # type: ignore[arg-type]
            fresh = f"dependabot:acme/api:{day}"
            ledger[fresh] = Member(fresh, "open", now, now)
            lines = [HEADER, *(member_line(ledger[a]) for a in sorted(ledger))]
            files[f"reports/{name}/ledger.tsv"] = stream.blob(("\n".join(lines) + "\n").encode())
            counted = [m.state for m in ledger.values()]
            row = (
                f"{now[:10]},{counted.count('open')},{counted.count('fixed')},"
                f"{counted.count('dismissed')},{len(counted)}"
            )
            history_rows[name].append(row)
            files[f"reports/{name}/history.csv"] = stream.blob(
                ("\n".join(history_rows[name]) + "\n").encode()
            )
        main = stream.commit(
            "refs/heads/main", BOT, day, f"{len(names)} campaigns: reconcile", files, parent=main
        )
        if day % 50 == 0:  # a scope change of sqli through a pull request
            pull_requests += 1
            number = 100 + day
            scope_text["sqli"] += f"# day {day}\n"
            files["campaigns/sqli.yml"] = stream.blob(scope_text["sqli"].encode())
            scope_changes += 1
            if (day // 50) % 2:
                branch = stream.commit(
                    f"refs/heads/pr-{number}",
                    PERSON,
                    day,
                    f"Widen on day {day}",
                    {"campaigns/sqli.yml": files["campaigns/sqli.yml"]},
                    parent=main,
                )
                main = stream.commit(
                    "refs/heads/main",
                    PERSON,
                    day,
                    f"Merge pull request #{number} from acme/pr-{number}",
                    {"campaigns/sqli.yml": files["campaigns/sqli.yml"]},
                    parent=main,
                    merge=branch,
                )
            else:
                main = stream.commit(
                    "refs/heads/main",
                    PERSON,
                    day,
                    f"Widen on day {day} (#{number})",
                    {"campaigns/sqli.yml": files["campaigns/sqli.yml"]},
                    parent=main,
                )
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(path)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=bytes(stream.out), check=True)
    subprocess.run(["git", "checkout", "--quiet", "main"], cwd=path, check=True)
    return Truth(
        target_events=target_events, scope_changes=scope_changes, pull_requests=pull_requests
    )


def timed(command: list[str], cwd: Path, runs: int) -> tuple[float, bytes]:
    # This checkout's code, whatever the venv has installed.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *sys.path[2:]])}
    times, out = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr!r}")
        out = done.stdout
    return statistics.median(times), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--campaigns", type=int, default=3)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        repo = args.keep or Path(scratch) / "repo"
        start = time.perf_counter()
        truth = build(
            repo,
            commits=args.commits,
            campaigns=args.campaigns,
            members=args.members,
            seed=args.seed,
        )
        built = time.perf_counter() - start
        tool = [sys.executable, "-m", "campaign_sync", "history", "--format", "json"]
        alert_s, alert_out = timed([*tool, TARGET], repo, args.runs)
        campaign_s, campaign_out = timed([*tool, "sqli"], repo, args.runs)
        recipe = ["git", "log", "--format=%H", "-S", TARGET, "--", "reports/sqli/ledger.tsv"]
        recipe_s, recipe_out = timed(recipe, repo, args.runs)
        answer = json.loads(alert_out)
        (sqli,) = [c for c in answer["campaigns"] if c["campaign"] == "sqli"]
        events = {e["commit"] for e in sqli["events"]}
        named_in_order = recipe_out.decode().split()
        named = set(named_in_order)
        # The README's "when did it join": the first commit -S names (git log --reverse | head -1).
        first_named = named_in_order[-1] if named_in_order else None
        joined = sqli["events"][0]["commit"]
        scope = json.loads(campaign_out)
        found_prs = sum(1 for c in scope["changes"] if c["pull_request"])
        ok = (
            len(sqli["events"]) == truth.target_events
            and len(scope["changes"]) == truth.scope_changes
            and found_prs == truth.pull_requests
        )
        result = {
            "commits": args.commits,
            "campaigns": args.campaigns,
            "members": args.members,
            "ledger_versions": answer["ledger_versions_read"],
            "build_s": round(built, 2),
            "history_alert_s": round(alert_s, 3),
            "history_campaign_s": round(campaign_s, 3),
            "git_log_S_s": round(recipe_s, 3),
            "history_events": len(sqli["events"]),
            "expected_events": truth.target_events,
            "git_log_S_commits": len(named),
            "git_log_S_about_other_alerts": len(named - events),
            "git_log_S_join_answer_right": first_named == joined,
            "scope_changes": len(scope["changes"]),
            "pull_requests_told": found_prs,
            "expected_pull_requests": truth.pull_requests,
            "ok": ok,
        }
        print(
            f"{args.commits} reconcile commits, {args.campaigns} campaigns of ~{args.members} "
            f"members ({answer['ledger_versions_read']} ledger versions; built in {built:.1f} s)\n"
            f"history {TARGET}: {alert_s:.2f} s, {len(sqli['events'])} events "
            f"(expected {truth.target_events})\n"
            f"history sqli: {campaign_s:.2f} s, {len(scope['changes'])} file changes, "
            f"{found_prs} with their pull request (expected {truth.pull_requests})\n"
            f"git log -S (the old recipe): {recipe_s:.2f} s, names {len(named)} commits, "
            f"{len(named - events)} of them about other alerts; its 'when did it join' "
            f"answer is {'right' if first_named == joined else 'wrong (where :11 joined)'}"
        )
        if args.json:
            print(json.dumps(result))
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
