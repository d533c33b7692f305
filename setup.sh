#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image
# (Ubuntu 22.04 with Python 3.10; 24.04 works too: a virtual environment
# avoids pip's refusal of system-wide installs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SANDBOX_USER="${GRADER_SANDBOX_USER:-grader-sandbox}"

if command -v apt-get >/dev/null 2>&1 && ! /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
fi

# The environment, from the system's Python (runnable by the sandbox user).
GRADER_PYTHON=/usr/bin/python3 "$ROOT/scripts/ensure_env" >/dev/null

# Compile the answer key once (rubrics/.key/, root-only below): the rubric is
# bound, every expected value, planned call and reference output stored, so
# that a run loads the key instead of the YAML and the reference, and starts
# the student's code at once.  Byte-compile the engine too: each run then
# loads it instead of compiling it.
(cd "$ROOT" && "$ROOT/.venv/bin/python" -m grader.answer_key >/dev/null)
"$ROOT/.venv/bin/python" -m compileall -q "$ROOT/grader" "$ROOT/public" >/dev/null || true

# The unprivileged user that runs student code: no login, no groups, no home.
if ! id -u "$SANDBOX_USER" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
    --user-group "$SANDBOX_USER"
fi

# Code and environment readable by everyone; answers and results by root only.
chmod -R a+rX "$ROOT/grader" "$ROOT/.venv" "$ROOT/scripts"
# the public folder too: the child rebuilds the helper functions passed to student code from it
if [ -d "$ROOT/public" ]; then chmod -R a+rX "$ROOT/public"; fi
chmod 755 "$ROOT"
# every folder above the project must let the sandbox account pass (not list) to reach its Python
dir="$(dirname "$ROOT")"
while [ "$dir" != "/" ]; do chmod o+x "$dir"; dir="$(dirname "$dir")"; done
# (the grader locks these again before every run: ANSWER_DIRS in grader/sandbox/isolation.py)
for secret in reference rubrics submissions_example tests benchmarks results .git; do
  if [ -e "$ROOT/$secret" ]; then chown -R root:root "$ROOT/$secret"; chmod -R go-rwx "$ROOT/$secret"; fi
done
GS_ROOT="${GRADER_GRADESCOPE_ROOT:-/autograder}"
mkdir -p "$GS_ROOT/results" && chmod 700 "$GS_ROOT/results"
# The sandbox account may pass through Gradescope's root, not list it; each run
# also locks what lies there (submission_metadata.json holds earlier results).
chmod 711 "$GS_ROOT"
echo "setup complete: $("$ROOT/.venv/bin/python" --version)"
