# Sourced by build.sh: Redis 7 from Debian on loopback, pid and log files in .chatdata/redis.
# Its settings are build/config/redis/redis.conf.
REDIS_PORT=${CHATDATA_REDIS_PORT:-56379}
REDIS_DEFAULT="127.0.0.1:${REDIS_PORT}"

redis_ping() {   # redis_ping <port> [host]
    command -v redis-cli >/dev/null || return 1
    [[ "$(timeout 5 redis-cli -h "${2:-127.0.0.1}" -p "$1" ping 2>/dev/null)" == PONG ]]
}

# Install Debian's redis-server when missing (root only).
ensure_redis() {
    command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
    if ! is_root; then
        die "redis-server is not installed; run as root: apt-get update && apt-get install -y redis-server (or set CHATDATA_TEST_REDIS to a running Redis 7)"
    fi
    log "redis-server missing: installing it from Debian"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get -q update && apt-get -q install -y redis-server; } >&2 || die "apt-get install redis-server failed"
}

# Where Redis keeps its pid/log files: the repo's state dir, else the fallback.
redis_dir() {
    local sub=$1 d
    for d in "$STATE_DIR/$sub" "$FALLBACK_DIR/$sub"; do
        if mkdir -p "$d" 2>/dev/null && [[ -w "$d" ]]; then printf '%s\n' "$d"; return 0; fi
    done
    die "cannot create a Redis state directory ($STATE_DIR/$sub or $FALLBACK_DIR/$sub)"
}

# Start one throwaway Redis (no persistence) on loopback. Extra args follow.
redis_start() {   # redis_start <port> <dir> [extra redis args...]
    local port=$1 dir=$2
    shift 2
    redis-server "$CONFIG_DIR/redis/redis.conf" --port "$port" --dir "$dir" \
        --pidfile "$dir/redis-$port.pid" --logfile "$dir/redis-$port.log" "$@" >/dev/null 9<&- ||
        { log_tail "$dir/redis-$port.log"; die "redis-server on port $port failed to start"; }
}

redis_wait() {   # redis_wait <port> <logfile>
    local i
    for ((i = 0; i < 60; i++)); do
        redis_ping "$1" && return 0
        sleep 0.5
    done
    log_tail "$2"
    die "Redis on 127.0.0.1:$1 did not answer PING within 30 s"
}

redis_up() {
    if [[ -n "${CHATDATA_TEST_REDIS:-}" && "$CHATDATA_TEST_REDIS" != "$REDIS_DEFAULT" ]]; then
        redis_check_external "$CHATDATA_TEST_REDIS" CHATDATA_TEST_REDIS
        log "Redis: using CHATDATA_TEST_REDIS from the environment"
        return 0
    fi
    export CHATDATA_TEST_REDIS="$REDIS_DEFAULT"
    if redis_ping "$REDIS_PORT"; then
        log "Redis already answers on 127.0.0.1:$REDIS_PORT; reusing it"
        return 0
    fi
    ensure_redis
    local dir
    dir=$(redis_dir redis)
    log "starting Redis on 127.0.0.1:$REDIS_PORT (dir $dir)"
    redis_start "$REDIS_PORT" "$dir"
    redis_wait "$REDIS_PORT" "$dir/redis-$REDIS_PORT.log"
}

# Check the first endpoint of a StackExchange.Redis configuration string.
redis_check_external() {   # <config> <var name>
    local ep=${1%%,*} host port
    host=${ep%:*}
    port=${ep##*:}
    [[ "$ep" == *:* ]] || port=6379
    if command -v redis-cli >/dev/null; then
        local pass
        pass=$(tr ',' '\n' <<<"$1" | sed -n 's/^ *password=//p' | head -n1)
        [[ -n "$pass" ]] && export REDISCLI_AUTH="$pass"
        [[ "$(timeout 5 redis-cli -h "$host" -p "$port" ping 2>/dev/null)" == PONG ]] ||
            die "$2 is set but Redis at $host:$port does not answer PING"
    else
        # No redis-cli here: at least check that the port accepts a connection.
        timeout 5 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null ||
            die "$2 is set but nothing listens on $host:$port"
    fi
}

redis_down() {
    if redis_ping "$REDIS_PORT"; then
        log "stopping Redis on $REDIS_PORT"
        redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    else
        log "Redis: not running"
    fi
}
