#!/usr/bin/env bash
# The whole test run: machine setup for the live lanes, typecheck, every test.
# Runs under .ci/toolchain.sh (Node >= 22, pnpm 12.4.2, workspace installed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Each lane's machine setup (Debian packages, builds of test infrastructure), idempotent.
for script in .ci/setup.d/*.sh; do
  [ -e "$script" ] || continue
  echo "== setup: $script"
  bash "$script"
done

echo "== typecheck"
tsc -p tsconfig.json

echo "== API reference (typedoc, into .cache/api-docs)"
typedoc --logLevel Error

echo "== tests"
mkdir -p .cache
status=0
vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-report.json || status=$?
node -e '
const r = require(process.argv[1]);
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
if (r.numTotalTests === 0) process.exitCode = 1;
' "$root/.cache/vitest-report.json" || status=1
exit "$status"
