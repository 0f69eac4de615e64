#!/usr/bin/env bash
# Starts (or installs, then starts) what the tests need: RabbitMQ, Redis, and Debian's Python
# Celery for the interop tests. Does nothing for a service that already answers.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
need_apt=()
command -v rabbitmq-server >/dev/null 2>&1 || need_apt+=(rabbitmq-server)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
/usr/bin/python3 -c 'import celery, redis' >/dev/null 2>&1 || need_apt+=(python3-celery python3-redis)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)   # the dashboard's browser test
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "[services] installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! port_open 6379; then
  echo "[services] starting redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
if ! port_open 5672; then
  echo "[services] starting rabbitmq"
  rabbitmq-server -detached >/dev/null 2>&1 || true
fi
for _ in $(seq 1 60); do
  port_open 5672 && port_open 6379 && break
  sleep 1
done
port_open 5672 || { echo "[services] RabbitMQ did not start on 127.0.0.1:5672" >&2; exit 1; }
port_open 6379 || { echo "[services] Redis did not start on 127.0.0.1:6379" >&2; exit 1; }
# RabbitMQ opens the port a little before it accepts AMQP; wait until it is really up
if command -v rabbitmqctl >/dev/null 2>&1; then
  timeout 60 rabbitmqctl await_startup >/dev/null 2>&1 || true
fi
echo "[services] rabbitmq and redis are up"
