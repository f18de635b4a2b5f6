#!/usr/bin/env bash
# The README's quick start, exactly as the README writes it, in a fresh clone of HEAD.
#   .ci/quickstart.sh [PYTHON] [--tests]
# PYTHON (default python3) replaces `python3` in the commands: e.g. /usr/bin/python3, a
# Debian system Python that refuses `pip install` outside a virtual environment. The first
# command must exit 2 (changes to apply); with --tests the second (the suite) must pass.
set -euo pipefail
python=${1:-python3}
tests=${2:-}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The sh block right under "## Quick start", comments and blank lines left out.
mapfile -t commands < <(awk '
  /^## Quick start/ { section = 1; next }
  section && /^## / { exit }
  section && /^```sh/ { block = 1; next }
  block && /^```/ { exit }
  block && NF { sub(/[[:space:]]+#.*$/, ""); print }
' "$here/README.md")
if [ "${#commands[@]}" -ne 2 ]; then
  echo "quickstart: expected two commands under README's Quick start, found ${#commands[@]}" >&2
  exit 1
fi

git clone --quiet "$here" "$work/clone"
cd "$work/clone"
run() {
  local command=${1//python3 /$python }
  echo "+ $command"
  set +e
  bash -c "$command"
  status=$?
  set -e
}
run "${commands[0]}"
if [ "$status" -ne 2 ]; then
  echo "quickstart: the first command exited $status, not 2 (changes to apply)" >&2
  exit 1
fi
if [ "$tests" = "--tests" ]; then
  run "${commands[1]}"
  if [ "$status" -ne 0 ]; then
    echo "quickstart: the test command exited $status" >&2
    exit 1
  fi
fi
echo "quickstart: passed with $python"
