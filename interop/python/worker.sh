#!/usr/bin/env bash
# Start the reference Python Celery worker for interop tests (foreground).
# Usage: worker.sh NODE_NAME [QUEUE] [extra celery worker args...]
#   env: INTEROP_BROKER, INTEROP_BACKEND, INTEROP_QUEUE, INTEROP_NS (see README.md),
#        INTEROP_APP (the Celery app module, default celeriac_interop_tasks);
#        INTEROP_MINGLE=1 starts with mingle (syncs clocks and revokes with the other workers)
# `exec` keeps the PID of this script = the celery main process, so a test can
# stop it with SIGTERM (warm shutdown) on the PID it spawned.
set -euo pipefail
cd "$(dirname "$0")"
NODE="${1:?usage: worker.sh NODE_NAME [QUEUE] [celery args...]}"
QUEUE="${2:-${INTEROP_QUEUE:-celeriac_it_tasks}}"
shift $(( $# >= 2 ? 2 : 1 ))
export INTEROP_QUEUE="$QUEUE"
flags=(--without-gossip)
if [ "${INTEROP_MINGLE:-0}" != "1" ]; then flags+=(--without-mingle); fi
exec /usr/bin/python3 -m celery -A "${INTEROP_APP:-celeriac_interop_tasks}" worker \
  -n "$NODE" -Q "$QUEUE" -c 2 "${flags[@]}" -l warning "$@"
