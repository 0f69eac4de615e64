#!/usr/bin/env bash
# One-time set-up on a fresh machine with only Node 20 and npm: pnpm, dependencies, build.
# Safe to run again: every step is skipped or fast when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

PNPM_VERSION=12.4.2
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "[setup] installing pnpm $PNPM_VERSION"
  if ! npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    # no permission for a global install: use a project-local copy
    npm install --no-save --prefix .tools "pnpm@$PNPM_VERSION" >/dev/null
    export PATH="$PWD/.tools/node_modules/.bin:$PATH"
  fi
fi

if [ ! -d node_modules/.pnpm ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
  echo "[setup] installing dependencies"
  CI=true pnpm install --frozen-lockfile --reporter=silent
fi

echo "[setup] building"
# turbo restores a cached build on top of what dist/ holds; start from empty folders so no file of
# an older build is left beside it (the tarball test would rightly find it in the package)
rm -rf packages/*/dist apps/*/dist
pnpm exec turbo run build --output-logs=errors-only
