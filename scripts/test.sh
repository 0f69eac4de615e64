#!/usr/bin/env bash
# npm test: set up, make sure RabbitMQ / Redis / Python Celery / Chromium are there, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/services.sh
export TURBO_TELEMETRY_DISABLED=1
pnpm exec turbo run lint typecheck --output-logs=errors-only

log=$(mktemp)
set +e
# test files share RabbitMQ and Redis; packages run one after another to keep 2 cores calm,
# and every package runs even when one fails, so all failures are reported
pnpm exec turbo run test --concurrency=1 --continue 2>&1 | tee "$log"
tests=${PIPESTATUS[0]}
# chaos tests start private RabbitMQ nodes (ports 5700-5703) and a private Redis (6391) and break them
pnpm --filter @celeriac/core test:chaos 2>&1 | tee -a "$log"
chaos=${PIPESTATUS[0]}
set -e

# one summary line for all packages (vitest prints "Tests  N passed | M failed (T)" per run)
count() {
  sed 's/\x1b\[[0-9;]*m//g' "$log" \
    | awk -v word="$1" '/Tests +[0-9]/ { for (i = 1; i < NF; i++) if ($(i + 1) == word) s += $i } END { print s + 0 }'
}
passed=$(count passed)
failed=$(count failed)
rm -f "$log"
echo
echo "tests: $passed passed, $failed failed"
if [ "$tests" -ne 0 ] || [ "$chaos" -ne 0 ]; then exit 1; fi
if [ "$passed" -eq 0 ]; then echo "no test ran" >&2; exit 1; fi
