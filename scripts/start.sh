#!/usr/bin/env bash
# npm start: set up, then run the main demo (producer + worker + results).
# Without AMQP_URL it runs on the embedded in-memory broker; with AMQP_URL, on RabbitMQ.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node apps/demo/dist/main.js
