#!/usr/bin/env bash
# Make sure the local services the integration tests talk to are up:
# PostgreSQL 5432, MariaDB 3306, Redis 6379, RabbitMQ 5672, NATS 4222 (all 127.0.0.1).
# A service whose port is closed is started with the machine's own command
# (needs root), then every port is awaited for up to SERVICES_WAIT seconds.
# PostgreSQL, MariaDB and Redis are required (exit 1 if they stay down);
# RabbitMQ and NATS are not used by ARBIG yet, so they only warn.
set -euo pipefail

WAIT=${SERVICES_WAIT:-60}
LOGDIR=${TMPDIR:-/tmp}/arbig-services
mkdir -p "$LOGDIR"

port_open() { # port
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

start_postgresql() {
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
}
start_mariadb() {
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
}
start_redis() {
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
}
start_rabbitmq() {
    rabbitmq-server -detached
}
start_nats() {
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
        -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
}

# name port required
SERVICES=(
    "postgresql 5432 yes"
    "mariadb 3306 yes"
    "redis 6379 yes"
    "rabbitmq 5672 no"
    "nats 4222 no"
)

for entry in "${SERVICES[@]}"; do
    read -r name port _ <<<"$entry"
    if port_open "$port"; then
        echo "services: $name is up on 127.0.0.1:$port"
        continue
    fi
    echo "services: $name is down on 127.0.0.1:$port; starting it (log: $LOGDIR/$name.log)"
    if ! "start_$name" </dev/null >>"$LOGDIR/$name.log" 2>&1; then
        echo "services: WARNING: the start command for $name failed; tail of its log:"
        tail -n 20 "$LOGDIR/$name.log" | sed 's/^/    /'
    fi
done

failed=0
for entry in "${SERVICES[@]}"; do
    read -r name port required <<<"$entry"
    deadline=$((SECONDS + WAIT))
    until port_open "$port"; do
        if ((SECONDS >= deadline)); then break; fi
        sleep 1
    done
    if port_open "$port"; then
        echo "services: $name ready on 127.0.0.1:$port"
    elif [[ $required == yes ]]; then
        echo "services: ERROR: $name did not open 127.0.0.1:$port within ${WAIT}s" >&2
        failed=1
    else
        echo "services: WARNING: $name did not open 127.0.0.1:$port within ${WAIT}s (not required)"
    fi
done
exit "$failed"
