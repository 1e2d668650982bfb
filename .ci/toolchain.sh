#!/usr/bin/env bash
# Runs a command with Node >= 22 and pnpm 12.4.2 on PATH and the workspace installed.
# The system Node here may be 20 (end of life): Node 24 then comes from the npm registry
# (the `node` package ships a real binary), installed once under .cache/toolchain.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool="$root/.cache/toolchain"
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ] || ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "12.4.2" ]; then
  if [ ! -x "$tool/node_modules/.bin/pnpm" ] || [ ! -x "$tool/node_modules/.bin/node" ]; then
    echo "vmshift: installing Node 24 and pnpm 12.4.2 from the npm registry into .cache/toolchain" >&2
    mkdir -p "$tool"
    npm install --prefix "$tool" --no-audit --no-fund --loglevel=error node@24 pnpm@12.4.2 >&2
  fi
  export PATH="$tool/node_modules/.bin:$PATH"
fi

# node-gyp under Node 24 would fetch headers from the internet; use the system's.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
stamp="$root/node_modules/.vmshift-install-stamp"
if [ ! -f "$stamp" ] || [ "$root/pnpm-lock.yaml" -nt "$stamp" ]; then
  (cd "$root" && pnpm install --frozen-lockfile --reporter=append-only >&2)
  touch "$stamp"
fi
cd "$root"
exec "$@"
