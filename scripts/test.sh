#!/usr/bin/env bash
# npm test: set up, make sure RabbitMQ / Redis / Python Celery are there, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/services.sh
export TURBO_TELEMETRY_DISABLED=1
pnpm exec turbo run lint typecheck --output-logs=errors-only
# test files share RabbitMQ and Redis; packages run one after another to keep 2 cores calm
pnpm exec turbo run test --concurrency=1 --continue
# chaos tests start private RabbitMQ nodes (ports 5700-5703) and a private Redis (6391) and break them
pnpm --filter @celeriac/core test:chaos
