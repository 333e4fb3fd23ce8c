#!/usr/bin/env bash
# Chat.Data build script: test servers, tests, sample, benchmarks, packages.
# Run ./build.sh help for the sub-commands. Needs bash, the .NET SDK, and
# (for the servers) Debian's postgresql-15 and redis-server packages.
set -euo pipefail

# Work from the repo root whatever the caller's directory is.
cd "$(dirname "$0")"
REPO="$(pwd -P)"

# ---------------------------------------------------------------------------
# Settings. Ports are fixed so the connection strings are the same on every
# machine (and match docker-compose.yml); loopback only.
# ---------------------------------------------------------------------------
PG_HOST=127.0.0.1
PG_PORT=55432
REDIS_PORT=56379
CLUSTER_PORTS=(57001 57002 57003)
PG_DEFAULT_CS="Host=${PG_HOST};Port=${PG_PORT};Username=postgres;Database=postgres"
REDIS_DEFAULT="127.0.0.1:${REDIS_PORT}"
CLUSTER_DEFAULT="127.0.0.1:57001,127.0.0.1:57002,127.0.0.1:57003"
SAMPLE_DB=chatdata_sample
SAMPLE_URL=http://127.0.0.1:5080

STATE_DIR="$REPO/.chatdata"                 # git-ignored
# Used when the postgres OS user cannot reach the repo (e.g. a mode-700 clone).
REPO_HASH="$(printf '%s' "$REPO" | sha256sum | cut -c1-12)"
FALLBACK_DIR="${TMPDIR:-/tmp}/chatdata-$REPO_HASH"
# ...and if $TMPDIR is itself private to root, plain /tmp.
FALLBACK_DIR2="/tmp/chatdata-$REPO_HASH"
RESULTS_DIR="artifacts/test-results"
PACKAGES_DIR="artifacts/packages"

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------
# Progress goes to stderr so stdout carries only the CHATDATA_* lines.
log()  { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# One services up/down at a time on this machine (the ports are machine-wide):
# concurrent runs (two shells, a developer and CI) would race to start the
# same servers. Daemons are started with fd 9 closed so they never hold it.
SERVICES_LOCK=/tmp/chatdata-services.lock
services_lock() {
    [[ -e "$SERVICES_LOCK" ]] || (umask 0 && : >>"$SERVICES_LOCK") 2>/dev/null || true
    exec 9<"$SERVICES_LOCK" || die "cannot open $SERVICES_LOCK"
    flock -w 300 9 || die "another ./build.sh is starting or stopping the services; gave up after 300 s"
}
services_unlock() {
    flock -u 9 2>/dev/null || true
    exec 9<&-
}

# Last lines of a log file, for error messages.
log_tail() {
    if [[ -f "$1" ]]; then
        printf -- '--- last lines of %s ---\n' "$1" >&2
        tail -n 30 "$1" >&2 || true
        printf -- '---\n' >&2
    fi
}

# The solution file (.sln, or the .slnx that newer SDKs create).
solution_file() {
    local f
    for f in Chat.Data.sln Chat.Data.slnx; do
        [[ -f "$f" ]] && { printf '%s\n' "$f"; return 0; }
    done
    die "no Chat.Data.sln (or .slnx) in $REPO"
}

# Value of a key in an Npgsql-style "Key=Value;Key=Value" string. Keys are
# matched case-insensitively and without spaces ("User Id" = "userid").
# Usage: cs_get "$cs" key [alias...]
cs_get() {
    local cs=$1 part key want
    shift
    local -a parts
    IFS=';' read -ra parts <<<"$cs"
    for part in "${parts[@]}"; do
        [[ "$part" == *=* ]] || continue
        key=${part%%=*}
        key=${key// /}
        key=${key,,}
        for want in "$@"; do
            if [[ "$key" == "$want" ]]; then
                printf '%s\n' "${part#*=}"
                return 0
            fi
        done
    done
    return 0
}

# The same connection string with Database=<db> instead of its own database.
cs_with_database() {
    local cs=$1 db=$2 part key out=""
    local -a parts
    IFS=';' read -ra parts <<<"$cs"
    for part in "${parts[@]}"; do
        [[ -n "${part// /}" ]] || continue
        key=${part%%=*}
        key=${key// /}
        key=${key,,}
        [[ "$key" == database || "$key" == db ]] && continue
        out+="${part};"
    done
    printf '%sDatabase=%s\n' "$out" "$db"
}

# Export the host/port/user/password of a connection string as libpq PG*
# variables, so psql/pg_isready/createdb talk to the same server.
pg_env_from_cs() {
    local cs=$1 host port user pass
    host=$(cs_get "$cs" host server)
    port=$(cs_get "$cs" port)
    user=$(cs_get "$cs" username userid user)
    pass=$(cs_get "$cs" password pwd)
    host=${host%%,*}                 # multi-host strings: use the first host
    if [[ "$host" == *:* && "$host" != \[* ]]; then   # host:port form
        port=${port:-${host##*:}}
        host=${host%%:*}
    fi
    export PGHOST="${host:-127.0.0.1}" PGPORT="${port:-5432}" PGUSER="${user:-postgres}"
    if [[ -n "$pass" ]]; then export PGPASSWORD="$pass"; fi
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
# Debian's layout: prefer the version-15 binaries, else whatever pg_config says.
pg_bindir() {
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        echo /usr/lib/postgresql/15/bin
    elif command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then
        pg_config --bindir
    else
        die "PostgreSQL 15 server binaries not found (install Debian's postgresql-15)"
    fi
}

# Run a command as the user that owns the PostgreSQL data (initdb/postgres
# refuse root). From / because pg tools fail when they cannot read the cwd.
# Usage: as_pg_owner <dir-to-take-owner-from|""> cmd...
as_pg_owner() {
    local dir=$1 user=postgres
    shift
    if is_root; then
        [[ -n "$dir" && -e "$dir" ]] && user=$(stat -c %U "$dir")
        [[ "$user" == root ]] && user=postgres
        id -u "$user" >/dev/null 2>&1 || die "OS user '$user' does not exist (needed to run PostgreSQL as non-root)"
        (cd / && runuser -u "$user" -- "$@")
    else
        (cd / && "$@")
    fi
}

pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -t 3 >/dev/null 2>&1; }

# Make <base>/pg usable by the server's OS user; fail (return 1) when that
# user cannot reach it, e.g. because a parent directory is mode 700.
pg_prepare_dir() {
    local base=$1 pgdata=$1/pg
    mkdir -p "$base" 2>/dev/null || return 1
    chmod 755 "$base" 2>/dev/null || true
    mkdir -p "$pgdata" 2>/dev/null || return 1
    if is_root; then
        chown postgres:postgres "$pgdata" || return 1
        touch "$base/postgres.log" && chown postgres:postgres "$base/postgres.log" || return 1
    fi
    chmod 700 "$pgdata" || return 1
    as_pg_owner "$pgdata" test -w "$pgdata" -a -x "$pgdata" 2>/dev/null || return 1
    as_pg_owner "$pgdata" test -w "$base/postgres.log" -o ! -e "$base/postgres.log" 2>/dev/null || return 1
}

# Echo the data directory to use: <repo>/.chatdata/pg, else the temp fallback.
pg_pick_datadir() {
    local base
    for base in "$STATE_DIR" "$FALLBACK_DIR" "$FALLBACK_DIR2"; do
        if pg_prepare_dir "$base"; then
            if [[ "$base" != "$STATE_DIR" ]]; then
                log "the postgres user cannot reach $STATE_DIR (repo not traversable/writable for it); using $base/pg instead"
            fi
            printf '%s\n' "$base/pg"
            return 0
        fi
        # Leave nothing half-made behind in a place we could not use.
        rmdir "$base/pg" 2>/dev/null || true
        [[ -s "$base/postgres.log" ]] || rm -f "$base/postgres.log"
        rmdir "$base" 2>/dev/null || true
    done
    die "no directory usable by the postgres user for the PostgreSQL data (tried $STATE_DIR and $FALLBACK_DIR)"
}

pg_up() {
    # An external server given by the caller: only check that it answers.
    if [[ -n "${CHATDATA_TEST_PG:-}" && "$CHATDATA_TEST_PG" != "$PG_DEFAULT_CS" ]]; then
        (
            pg_env_from_cs "$CHATDATA_TEST_PG"
            pg_isready -q -t 10 -d postgres >/dev/null 2>&1 ||
                die "CHATDATA_TEST_PG is set but PostgreSQL at $PGHOST:$PGPORT does not answer"
        )
        log "PostgreSQL: using CHATDATA_TEST_PG from the environment"
        return 0
    fi
    export CHATDATA_TEST_PG="$PG_DEFAULT_CS"

    local rc=0
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -t 3 >/dev/null 2>&1 || rc=$?
    if [[ $rc -eq 0 ]]; then
        log "PostgreSQL already answers on $PG_HOST:$PG_PORT; reusing it"
        return 0
    fi
    if [[ $rc -eq 1 ]]; then
        # Rejecting connections: starting up or shutting down. Wait, don't start another.
        log "PostgreSQL on $PG_HOST:$PG_PORT is starting; waiting"
        pg_wait 60 "" && return 0
    fi

    local bindir pgdata base logfile sockdir
    bindir=$(pg_bindir)
    pgdata=$(pg_pick_datadir)
    base=$(dirname "$pgdata")
    logfile="$base/postgres.log"

    # A data dir without PG_VERSION is a failed initdb: it holds nothing of value.
    if [[ ! -s "$pgdata/PG_VERSION" ]]; then
        if [[ -n "$(ls -A "$pgdata")" ]]; then
            find "$pgdata" -mindepth 1 -delete
        fi
        log "initdb $pgdata"
        as_pg_owner "$pgdata" "$bindir/initdb" -D "$pgdata" -U postgres --auth=trust \
            -E UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 ||
            { log_tail "$base/initdb.log"; die "initdb failed"; }
    fi

    # Unix socket in the data dir; none when the path is too long for a socket
    # (108 bytes), since the tests use TCP anyway.
    sockdir=$pgdata
    if (( ${#pgdata} + 20 > 107 )); then sockdir=""; fi
    # Rewritten on every start, so settings changed here always apply.
    as_pg_owner "$pgdata" tee "$pgdata/postgresql.auto.conf" >/dev/null <<EOF
# Written by build.sh on every start; edits here are lost.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$sockdir'
max_connections = 300
shared_buffers = '512MB'
EOF

    log "starting PostgreSQL 15 on $PG_HOST:$PG_PORT (data $pgdata, log $logfile)"
    if ! as_pg_owner "$pgdata" "$bindir/pg_ctl" -D "$pgdata" -l "$logfile" -w -t 60 start >/dev/null 9<&-; then
        log_tail "$logfile"
        die "PostgreSQL did not start"
    fi
    pg_wait 30 "$logfile" || die "PostgreSQL started but does not accept connections on $PG_HOST:$PG_PORT"
}

# Wait up to $1 seconds for PostgreSQL to accept connections.
pg_wait() {
    local secs=$1 logfile=$2 i
    for ((i = 0; i < secs * 2; i++)); do
        pg_ready && return 0
        sleep 0.5
    done
    [[ -n "$logfile" ]] && log_tail "$logfile"
    return 1
}

# The running server's data dir (asked over SQL), else one of ours on disk.
pg_find_datadir() {
    local d
    d=$(psql -X -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atqc 'SHOW data_directory' 2>/dev/null || true)
    if [[ -n "$d" && -d "$d" ]]; then printf '%s\n' "$d"; return 0; fi
    for d in "$STATE_DIR/pg" "$FALLBACK_DIR/pg" "$FALLBACK_DIR2/pg"; do
        [[ -f "$d/postmaster.pid" ]] && { printf '%s\n' "$d"; return 0; }
    done
    return 0
}

pg_down() {
    local pgdata bindir
    pgdata=$(pg_find_datadir)
    if [[ -z "$pgdata" ]]; then
        if pg_ready; then
            warn "PostgreSQL answers on $PG_PORT but its data directory is unknown; not stopping it"
        else
            log "PostgreSQL: not running"
        fi
        return 0
    fi
    bindir=$(pg_bindir)
    log "stopping PostgreSQL ($pgdata)"
    as_pg_owner "$pgdata" "$bindir/pg_ctl" -D "$pgdata" -m fast -w -t 60 stop >/dev/null 2>&1 ||
        { pg_ready && warn "pg_ctl stop failed; PostgreSQL still answers on $PG_PORT"; }
    return 0
}

# ---------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------
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
    redis-server --port "$port" --bind 127.0.0.1 --daemonize yes \
        --save '' --appendonly no --dir "$dir" \
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

# ---------------------------------------------------------------------------
# Redis Cluster: 3 masters, no replicas, on 57001-57003. The cluster bus
# port would be port+10000 (> 65535), so it is set to port-10000 instead.
# ---------------------------------------------------------------------------
cluster_ok() {
    local p info
    for p in "${CLUSTER_PORTS[@]}"; do
        info=$(timeout 5 redis-cli -p "$p" cluster info 2>/dev/null) || return 1
        [[ "$info" == *cluster_state:ok* && "$info" == *cluster_known_nodes:3* ]] || return 1
    done
}

cluster_up() {
    if [[ -n "${CHATDATA_TEST_REDIS_CLUSTER:-}" && "$CHATDATA_TEST_REDIS_CLUSTER" != "$CLUSTER_DEFAULT" ]]; then
        redis_check_external "$CHATDATA_TEST_REDIS_CLUSTER" CHATDATA_TEST_REDIS_CLUSTER
        log "Redis Cluster: using CHATDATA_TEST_REDIS_CLUSTER from the environment"
        return 0
    fi
    export CHATDATA_TEST_REDIS_CLUSTER="$CLUSTER_DEFAULT"
    if command -v redis-cli >/dev/null && cluster_ok; then
        log "Redis Cluster already up on ${CLUSTER_PORTS[*]}; reusing it"
        return 0
    fi
    ensure_redis

    # Nodes keep no data, so any partial or stale cluster is rebuilt from scratch.
    cluster_down quiet
    local dir p i nodes=()
    dir=$(redis_dir redis-cluster)
    rm -f "$dir"/nodes-*.conf
    log "starting Redis Cluster nodes on ${CLUSTER_PORTS[*]}"
    for p in "${CLUSTER_PORTS[@]}"; do
        redis_start "$p" "$dir" --cluster-enabled yes --cluster-config-file "$dir/nodes-$p.conf" \
            --cluster-port "$((p - 10000))" --cluster-node-timeout 5000
        nodes+=("127.0.0.1:$p")
    done
    for p in "${CLUSTER_PORTS[@]}"; do redis_wait "$p" "$dir/redis-$p.log"; done

    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes \
        >"$dir/cluster-create.log" 2>&1 </dev/null ||
        { log_tail "$dir/cluster-create.log"; die "redis-cli --cluster create failed"; }
    for ((i = 0; i < 60; i++)); do
        cluster_ok && return 0
        sleep 0.5
    done
    redis-cli -p "${CLUSTER_PORTS[0]}" cluster info >&2 || true
    die "Redis Cluster did not reach cluster_state:ok within 30 s"
}

cluster_down() {
    local p any=0
    command -v redis-cli >/dev/null || return 0
    for p in "${CLUSTER_PORTS[@]}"; do
        if redis_ping "$p"; then
            any=1
            redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true
        fi
    done
    if [[ "${1:-}" != quiet ]]; then
        if ((any)); then log "stopped Redis Cluster nodes"; else log "Redis Cluster: not running"; fi
    fi
}

# ---------------------------------------------------------------------------
# PostgreSQL streaming standby of the server above, on 127.0.0.1:55433, for
# the read-replica tests: pg_basebackup -R, hot standby, no replication slot
# (a stopped standby must never make the primary keep WAL). The primary needs
# nothing new: initdb's pg_hba already trusts replication from loopback and
# Debian's wal_level is replica (checked below, never changed).
# ---------------------------------------------------------------------------
STANDBY_PORT=55433

standby_cs() { printf 'Host=%s;Port=%s;Username=postgres;Database=postgres\n' "$PG_HOST" "$STANDBY_PORT"; }

# True when the standby answers, is in recovery and streams from the primary.
standby_streaming() {
    [[ "$(psql -X -h "$PG_HOST" -p "$STANDBY_PORT" -U postgres -d postgres -Atqc \
        "SELECT pg_is_in_recovery() AND EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming')" 2>/dev/null)" == t ]]
}

standby_datadir() {
    local base
    for base in "$STATE_DIR" "$FALLBACK_DIR" "$FALLBACK_DIR2"; do
        if mkdir -p "$base/standby" 2>/dev/null && { ! is_root || chown postgres:postgres "$base/standby"; } &&
            chmod 700 "$base/standby" && as_pg_owner "$base/standby" test -w "$base/standby" 2>/dev/null; then
            printf '%s\n' "$base/standby"
            return 0
        fi
    done
    die "no directory usable by the postgres user for the standby's data (tried $STATE_DIR/standby and $FALLBACK_DIR/standby)"
}

standby_up() {
    if [[ -n "${CHATDATA_TEST_PG_STANDBY:-}" && "$CHATDATA_TEST_PG_STANDBY" != "$(standby_cs)" ]]; then
        log "PostgreSQL standby: using CHATDATA_TEST_PG_STANDBY from the environment"
        return 0
    fi
    if [[ -n "${CHATDATA_TEST_PG:-}" && "$CHATDATA_TEST_PG" != "$PG_DEFAULT_CS" ]]; then
        die "CHATDATA_TEST_PG names another server: set CHATDATA_TEST_PG_STANDBY to a streaming standby of it"
    fi
    CHATDATA_TEST_PG_STANDBY=$(standby_cs)
    export CHATDATA_TEST_PG_STANDBY
    if standby_streaming; then
        log "PostgreSQL standby already streams on $PG_HOST:$STANDBY_PORT; reusing it"
        return 0
    fi
    pg_ready || die "the primary on $PG_HOST:$PG_PORT does not answer; run ./build.sh services up first"
    local level bindir dir logfile conninfo i
    level=$(psql -X -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atqc 'SHOW wal_level')
    [[ "$level" == replica || "$level" == logical ]] ||
        die "the primary runs with wal_level=$level; a standby needs replica (set it in the primary's configuration and restart it)"
    bindir=$(pg_bindir)
    dir=$(standby_datadir)
    logfile="$(dirname "$dir")/standby.log"
    # A stopped standby may need WAL the primary no longer keeps: copy it afresh.
    standby_down quiet
    find "$dir" -mindepth 1 -delete
    : >"$logfile"
    if is_root; then chown postgres:postgres "$logfile"; fi
    log "pg_basebackup from $PG_HOST:$PG_PORT into $dir"
    as_pg_owner "$dir" "$bindir/pg_basebackup" -h "$PG_HOST" -p "$PG_PORT" -U postgres -D "$dir" \
        -R -X stream -c fast >"$logfile" 2>&1 || { log_tail "$logfile"; die "pg_basebackup failed"; }
    # -R wrote primary_conninfo into postgresql.auto.conf after the primary's settings: keep it, replace the rest.
    conninfo=$(grep '^primary_conninfo' "$dir/postgresql.auto.conf")
    as_pg_owner "$dir" tee "$dir/postgresql.auto.conf" >/dev/null <<EOF
# Written by build.sh when the standby is made; edits here are lost.
$conninfo
listen_addresses = '127.0.0.1'
port = $STANDBY_PORT
unix_socket_directories = ''
# A hot standby needs at least the primary's max_connections.
max_connections = 300
shared_buffers = '128MB'
hot_standby = on
EOF
    log "starting the standby on $PG_HOST:$STANDBY_PORT (log $logfile)"
    as_pg_owner "$dir" "$bindir/pg_ctl" -D "$dir" -l "$logfile" -w -t 60 start >/dev/null 9<&- ||
        { log_tail "$logfile"; die "the standby did not start"; }
    for ((i = 0; i < 60; i++)); do
        standby_streaming && return 0
        sleep 0.5
    done
    log_tail "$logfile"
    die "the standby on $PG_HOST:$STANDBY_PORT does not stream from the primary after 30 s"
}

standby_down() {
    local dir
    for dir in "$STATE_DIR/standby" "$FALLBACK_DIR/standby" "$FALLBACK_DIR2/standby"; do
        [[ -f "$dir/postmaster.pid" ]] || continue
        [[ "${1:-}" == quiet ]] || log "stopping the standby ($dir)"
        as_pg_owner "$dir" "$(pg_bindir)/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    done
}

services_standby() {
    services_lock
    case "${1:-}" in
        up) standby_up; services_unlock; printf 'CHATDATA_TEST_PG_STANDBY=%s\n' "$CHATDATA_TEST_PG_STANDBY" ;;
        down) standby_down; services_unlock ;;
        *) services_unlock; die "usage: ./build.sh services standby up|down" ;;
    esac
}

# ---------------------------------------------------------------------------
# services
# ---------------------------------------------------------------------------
# Start (or reuse) PostgreSQL and Redis; export and print their addresses.
services_up() {
    services_lock
    pg_up
    redis_up
    services_unlock
    printf 'CHATDATA_TEST_PG=%s\n' "$CHATDATA_TEST_PG"
    printf 'CHATDATA_TEST_REDIS=%s\n' "$CHATDATA_TEST_REDIS"
}

services_cluster_up() {
    services_lock
    cluster_up
    services_unlock
    printf 'CHATDATA_TEST_REDIS_CLUSTER=%s\n' "$CHATDATA_TEST_REDIS_CLUSTER"
}

services_down() {
    services_lock
    pg_down
    redis_down
    cluster_down
    services_unlock
}

services_cluster_down() {
    services_lock
    cluster_down
    services_unlock
}

services_status() {
    local rc=0 d
    if pg_ready; then
        d=$(pg_find_datadir)
        echo "PostgreSQL  $PG_HOST:$PG_PORT  up${d:+ (data $d)}"
    else
        echo "PostgreSQL  $PG_HOST:$PG_PORT  down"; rc=3
    fi
    if redis_ping "$REDIS_PORT"; then
        echo "Redis       127.0.0.1:$REDIS_PORT  up"
    else
        echo "Redis       127.0.0.1:$REDIS_PORT  down"; rc=3
    fi
    if command -v redis-cli >/dev/null && cluster_ok; then
        echo "Cluster     ${CLUSTER_DEFAULT}  up (cluster_state:ok)"
    else
        echo "Cluster     ${CLUSTER_DEFAULT}  down (optional)"
    fi
    return "$rc"
}

cmd_services() {
    case "${1:-}" in
        up) services_up ;;
        down) services_down ;;
        status) services_status ;;
        cluster)
            case "${2:-}" in
                up) services_cluster_up ;;
                down) services_cluster_down ;;
                *) die "usage: ./build.sh services cluster up|down" ;;
            esac ;;
        standby) services_standby "${2:-}" ;;
        *) die "usage: ./build.sh services up|down|status|cluster up|cluster down|standby up|down" ;;
    esac
}

# ---------------------------------------------------------------------------
# test
# ---------------------------------------------------------------------------
# Value of attribute $2 in the XML element text $1 (0 when absent).
xml_attr() {
    local v
    v=$(printf '%s' "$1" | sed -n "s/.*[[:space:]]$2=\"\\([0-9]*\\)\".*/\\1/p")
    printf '%s\n' "${v:-0}"
}

# Print per-assembly counts from the TRX files in $1 and a final
# "N passed, N failed, N skipped" line. Returns 1 when anything failed or
# was skipped, when a file has no counters, or when no test ran.
summarize_trx() {
    local dir=$1 f xml counters name t p fl sk total=0 passed=0 failed=0 skipped=0 bad=0 files=0
    echo "Test results:"
    while IFS= read -r -d '' f; do
        files=$((files + 1))
        xml=$(tr '\r\n' '  ' <"$f")
        counters=$(grep -o '<Counters [^>]*>' <<<"$xml" | head -n1 || true)
        # The assembly: first test's codeBase (or storage), else the file name.
        name=$(grep -o 'codeBase="[^"]*"' <<<"$xml" | head -n1 | sed 's/^codeBase="//; s/"$//' || true)
        [[ -n "$name" ]] || name=$(grep -o 'storage="[^"]*"' <<<"$xml" | head -n1 | sed 's/^storage="//; s/"$//' || true)
        name=$(basename "${name:-$f}")
        if [[ -z "$counters" ]]; then
            echo "  $name: no <Counters> in $f"
            bad=1
            continue
        fi
        t=$(xml_attr "$counters" total)
        p=$(xml_attr "$counters" passed)
        # error/timeout/aborted are failures too; whatever is neither passed
        # nor failed (notExecuted, inconclusive, ...) counts as skipped.
        fl=$(($(xml_attr "$counters" failed) + $(xml_attr "$counters" error) + $(xml_attr "$counters" timeout) + $(xml_attr "$counters" aborted)))
        sk=$((t - p - fl))
        ((sk < 0)) && sk=0
        printf '  %-40s total=%d passed=%d failed=%d skipped=%d\n' "$name" "$t" "$p" "$fl" "$sk"
        total=$((total + t)); passed=$((passed + p)); failed=$((failed + fl)); skipped=$((skipped + sk))
    done < <(find "$dir" -name '*.trx' -print0 2>/dev/null | sort -z)

    ((files == 0)) && echo "  (no TRX files in $dir)"
    printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped" | tee "$dir/summary.txt"
    if ((bad || files == 0 || total == 0 || failed > 0 || skipped > 0 || passed == 0)); then
        ((total == 0)) && echo "error: no tests ran" >&2
        ((skipped > 0)) && echo "error: $skipped test(s) skipped or not executed (every test must run)" >&2
        return 1
    fi
}

# The sample's browser test drives Debian's Chromium (CHATDATA_CHROMIUM names another one);
# the emoji font only makes its screenshots show the reactions.
ensure_chromium() {
    [[ -x "${CHATDATA_CHROMIUM:-/usr/bin/chromium}" ]] && return 0
    if ! is_root; then
        die "chromium is not installed; run as root: apt-get update && apt-get install -y chromium (or set CHATDATA_CHROMIUM to a Chromium executable)"
    fi
    log "chromium missing: installing it from Debian"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get -q update && apt-get -q install -y chromium fonts-noto-color-emoji; } >&2 || die "apt-get install chromium failed"
}

cmd_test() {
    ensure_chromium
    services_up
    services_cluster_up
    services_standby up
    local sln rc=0
    sln=$(solution_file)
    rm -rf "$RESULTS_DIR"
    mkdir -p "$RESULTS_DIR"
    # The fixtures read CHATDATA_TEST_PG/_REDIS/_REDIS_CLUSTER (exported above).
    # --blame-hang-timeout: a hung test kills the run instead of the CI budget.
    dotnet test "$sln" -c Release --nologo \
        --logger trx --results-directory "$RESULTS_DIR" \
        --blame-hang-timeout 15m --blame-hang-dump-type none || rc=$?
    local src=0
    summarize_trx "$RESULTS_DIR" || src=$?
    if ((rc != 0)); then die "dotnet test failed (exit $rc)"; fi
    if ((src != 0)); then die "test run not clean (see above)"; fi
}

# The Redis suite once more, on the newest StackExchange.Redis (RESP3 by
# default): the library stays built against its floor and runs on the newer
# client, as in a host that references one. The version is in
# Directory.Packages.props.
cmd_test_redis_newest() {
    services_up
    services_cluster_up
    local dir=artifacts/test-results-redis-newest version rc=0 src=0
    version=$(sed -n 's:.*<StackExchangeRedisNewestVersion>\(.*\)</StackExchangeRedisNewestVersion>.*:\1:p' Directory.Packages.props)
    [[ -n "$version" ]] || die "StackExchangeRedisNewestVersion is missing from Directory.Packages.props"
    rm -rf "$dir"
    mkdir -p "$dir"
    log "Redis tests on StackExchange.Redis $version"
    dotnet test tests/Chat.Data.Redis.Tests -c Release --nologo -p:RedisClient=newest \
        --logger trx --results-directory "$dir" \
        --blame-hang-timeout 15m --blame-hang-dump-type none || rc=$?
    grep -q "\"StackExchange.Redis/$version\"" tests/Chat.Data.Redis.Tests/bin/Release/net10.0/Chat.Data.Redis.Tests.deps.json ||
        die "the Redis tests did not run on StackExchange.Redis $version"
    summarize_trx "$dir" || src=$?
    if ((rc != 0)); then die "dotnet test failed (exit $rc)"; fi
    if ((src != 0)); then die "test run not clean (see above)"; fi
}

# ---------------------------------------------------------------------------
# sample
# ---------------------------------------------------------------------------
cmd_sample() {
    services_up
    local cs exists
    cs=$(cs_with_database "$CHATDATA_TEST_PG" "$SAMPLE_DB")
    # Create the sample's own database on the same server when missing.
    (
        pg_env_from_cs "$CHATDATA_TEST_PG"
        exists=$(psql -X -d postgres -tAqc "SELECT 1 FROM pg_database WHERE datname='$SAMPLE_DB'") ||
            die "cannot query $PGHOST:$PGPORT for database $SAMPLE_DB"
        if [[ "$exists" != 1 ]]; then
            log "creating database $SAMPLE_DB"
            createdb "$SAMPLE_DB"
        fi
    )
    export ConnectionStrings__ChatData="$cs"
    export ConnectionStrings__Redis="$CHATDATA_TEST_REDIS"
    echo "Chat.Data sample listening on $SAMPLE_URL"
    exec dotnet run -c Release --project samples/Chat.Data.Sample -- --urls "$SAMPLE_URL"
}

# ---------------------------------------------------------------------------
# bench / pack / clean
# ---------------------------------------------------------------------------
# All args (including --ci: short job, markdown into artifacts/benchmarks/)
# go to the benchmark program.
cmd_bench() {
    services_up
    dotnet run -c Release --project benchmarks/Chat.Data.Benchmarks -- "$@"
}

cmd_load() {
    services_up
    dotnet run -c Release --project benchmarks/Chat.Data.Benchmarks -- load "$@"
}

cmd_pack() {
    local proj f found=0
    rm -rf "$PACKAGES_DIR"
    for proj in src/Chat.Data/Chat.Data.csproj src/Chat.Data.Redis/Chat.Data.Redis.csproj src/Chat.Data.Documents/Chat.Data.Documents.csproj src/Chat.Data.Cli/Chat.Data.Cli.csproj; do
        if [[ ! -f "$proj" ]]; then warn "skipping $proj (missing)"; continue; fi
        dotnet pack "$proj" -c Release --nologo -o "$PACKAGES_DIR"
    done
    echo "Packages in $PACKAGES_DIR:"
    while IFS= read -r f; do echo "  $f"; found=1; done < <(find "$PACKAGES_DIR" -maxdepth 1 \( -name '*.nupkg' -o -name '*.snupkg' \) 2>/dev/null | sort)
    ((found)) || die "no packages produced"
}

cmd_clean() {
    services_down
    rm -rf .chatdata artifacts "$FALLBACK_DIR" "$FALLBACK_DIR2"
    local sln
    if sln=$(solution_file 2>/dev/null); then
        dotnet clean "$sln" -c Release --nologo -v quiet || warn "dotnet clean (Release) failed"
        dotnet clean "$sln" -c Debug --nologo -v quiet || warn "dotnet clean (Debug) failed"
    fi
}

# ---------------------------------------------------------------------------
# containers: the tests' Testcontainers path on a machine with no image
# registry. PostgreSQL 15 and Redis 7 images are built here on a Debian rootfs
# made with debootstrap; build/containers/ holds their Dockerfiles.
# ---------------------------------------------------------------------------
CONTAINERS_DIR=build/containers
# Outside the repo, so the rootfs is made once per machine, not once per clone.
CONTAINERS_CACHE=${CHATDATA_CACHE_DIR:-/var/cache/chatdata}
BASE_IMAGE=chatdata/debian:bookworm
PG_IMAGE=chatdata/postgres:15
REDIS_IMAGE=chatdata/redis:7
# Every container the test fixtures start carries this label; its value is the test process's id.
OWNER_LABEL=chatdata.tests.pid
ENGINE_PID=""   # dockerd, when this command started it
DOCKER0_PRESENT=1

engine_running() { timeout 10 docker info >/dev/null 2>&1; }

# Start dockerd unless an engine already answers; install Debian's docker.io when missing.
engine_up() {
    if command -v docker >/dev/null && engine_running; then
        log "container engine already running; using it"
        return 0
    fi
    is_root || die "no container engine runs, and only root can install or start one (run as root: ./build.sh containers prepare)"
    if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
        log "installing Debian's docker.io"
        export DEBIAN_FRONTEND=noninteractive
        { apt-get -q update && apt-get -q install -y docker.io; } >&2 || die "apt-get install docker.io failed"
    fi
    mkdir -p "$STATE_DIR"
    ip link show docker0 >/dev/null 2>&1 || DOCKER0_PRESENT=0
    log "starting dockerd (log $STATE_DIR/dockerd.log)"
    # No firewall or forwarding changes to leave behind: builds use the host's network, and the
    # tests reach published ports through Docker's userland proxy on 127.0.0.1.
    dockerd --iptables=false --ip-forward=false >"$STATE_DIR/dockerd.log" 2>&1 9<&- &
    ENGINE_PID=$!
    local i
    for ((i = 0; i < 120; i++)); do
        engine_running && return 0
        kill -0 "$ENGINE_PID" 2>/dev/null || break
        sleep 0.5
    done
    log_tail "$STATE_DIR/dockerd.log"
    die "dockerd did not answer within 60 s"
}

# Remove the containers of test processes that are gone (all of them, once dotnet test has ended).
containers_remove_leftovers() {
    local id pid
    while read -r id pid; do
        [[ -n "$id" ]] || continue
        if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
            docker rm -f -v "$id" >/dev/null 2>&1 || warn "could not remove container $id"
        fi
    done < <(docker ps -a --filter "label=$OWNER_LABEL" --format "{{.ID}} {{.Label \"$OWNER_LABEL\"}}" 2>/dev/null)
}

# Exit trap: leave no container behind, and no engine (or its bridge) this command started.
containers_exit() {
    if command -v docker >/dev/null && engine_running; then containers_remove_leftovers; fi
    if [[ -n "$ENGINE_PID" ]]; then
        log "stopping dockerd"
        kill "$ENGINE_PID" 2>/dev/null || true
        local i
        for ((i = 0; i < 60; i++)); do
            kill -0 "$ENGINE_PID" 2>/dev/null || break
            sleep 0.5
        done
        kill -0 "$ENGINE_PID" 2>/dev/null && { warn "dockerd did not stop; killing it"; kill -9 "$ENGINE_PID" 2>/dev/null || true; }
        ((DOCKER0_PRESENT)) || ip link delete docker0 2>/dev/null || true
        ENGINE_PID=""
    fi
}

# The machine's Debian mirror for bookworm, from apt's sources (deb822 or one-line form).
debian_mirror() {
    local m
    m=$(awk '/^[[:space:]]*$/ { if (s ~ /(^| )bookworm( |$)/ && u != "") { print u; u = ""; exit } u = ""; s = "" }
             /^URIs:/ { u = $2 }
             /^Suites:/ { $1 = ""; s = $0 }
             END { if (s ~ /(^| )bookworm( |$)/ && u != "") print u }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
    [[ -n "$m" ]] || m=$(sed -nE 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+bookworm[[:space:]].*/\2/p' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
    printf '%s\n' "${m:-http://deb.debian.org/debian}"
}

# The base image: a minbase Debian bookworm rootfs, made once per machine and imported.
containers_base_image() {
    docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
    local tarball="$CONTAINERS_CACHE/debian-bookworm-minbase.tar" root mirror
    mkdir -p "$CONTAINERS_CACHE"
    if [[ ! -s "$tarball" ]]; then
        is_root || die "debootstrap needs root"
        if ! command -v debootstrap >/dev/null; then
            log "installing debootstrap"
            { apt-get -q update && apt-get -q install -y debootstrap; } >&2 || die "apt-get install debootstrap failed"
        fi
        mirror=$(debian_mirror)
        root=$(mktemp -d "$CONTAINERS_CACHE/rootfs.XXXXXX")
        log "debootstrap --variant=minbase bookworm from $mirror (log $CONTAINERS_CACHE/debootstrap.log)"
        if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$CONTAINERS_CACHE/debootstrap.log" 2>&1; then
            rm -rf "$root"
            log_tail "$CONTAINERS_CACHE/debootstrap.log"
            die "debootstrap failed"
        fi
        rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
        tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
        rm -rf "$root"
    fi
    log "importing $tarball as $BASE_IMAGE"
    docker import "$tarball" "$BASE_IMAGE" >/dev/null
}

# The test images, rebuilt from their Dockerfiles (Docker's layer cache makes an unchanged one instant).
containers_images() {
    containers_base_image
    local name image
    for name in postgres redis; do
        image=$PG_IMAGE
        [[ $name == redis ]] && image=$REDIS_IMAGE
        log "building $image (log $STATE_DIR/docker-build-$name.log)"
        # The classic builder: the engine from Debian has no BuildKit plugin.
        DOCKER_BUILDKIT=0 docker build --network host --build-arg "BASE=$BASE_IMAGE" -t "$image" \
            "$CONTAINERS_DIR/$name" >"$STATE_DIR/docker-build-$name.log" 2>&1 ||
            { log_tail "$STATE_DIR/docker-build-$name.log"; die "docker build $image failed"; }
    done
}

containers_prepare() {
    trap containers_exit EXIT
    trap 'exit 130' INT TERM   # so the EXIT trap runs on Ctrl-C or a CI time-out too
    engine_up
    mkdir -p "$STATE_DIR"
    containers_images
    log "images ready: $PG_IMAGE, $REDIS_IMAGE"
}

# dotnet test with no CHATDATA_TEST_* servers, so the fixtures start containers of the images built here.
# Every test but the read-replica ones (their streaming standby is a build.sh server, with no container) and
# the lost-reply test, whose TCP proxy hung in front of a container's published port (run on loopback only).
containers_test() {
    local filter=${1:-FullyQualifiedName!~Chat.Data.Tests.Replicas&FullyQualifiedName!~MessageSendOutcomeTests.Sends_of_a_batch_that_committed_but_lost_its_reply} results=artifacts/test-results-containers rc=0 src=0
    containers_prepare
    export DOCKER_API_VERSION
    DOCKER_API_VERSION=$(docker version --format '{{.Server.APIVersion}}')
    export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
    export CHATDATA_TEST_PG_IMAGE=$PG_IMAGE CHATDATA_TEST_REDIS_IMAGE=$REDIS_IMAGE
    unset CHATDATA_TEST_PG CHATDATA_TEST_REDIS CHATDATA_TEST_REDIS_CLUSTER CHATDATA_TEST_PG_STANDBY
    rm -rf "$results"
    mkdir -p "$results"
    dotnet test "$(solution_file)" -c Release --nologo ${filter:+--filter "$filter"} \
        --logger trx --results-directory "$results" \
        --blame-hang-timeout 15m --blame-hang-dump-type none || rc=$?
    summarize_trx "$results" || src=$?
    if ((rc != 0)); then die "dotnet test on containers failed (exit $rc)"; fi
    if ((src != 0)); then die "test run on containers not clean (see above)"; fi
}

cmd_containers() {
    case "${1:-}" in
        prepare) containers_prepare ;;
        test) containers_test "${2:-}" ;;
        *) die "usage: ./build.sh containers prepare|test [filter]" ;;
    esac
}

usage() {
    cat <<'EOF'
Usage: ./build.sh <command> [args]

  services up        start (or reuse) PostgreSQL 15 on 127.0.0.1:55432 and Redis 7 on
                     127.0.0.1:56379; prints CHATDATA_TEST_PG=... and CHATDATA_TEST_REDIS=...
                     (when those variables are already set, their servers are used instead)
  services down      stop them (and the cluster, if running)
  services status    say whether each server answers
  services cluster up|down
                     a 3-master Redis Cluster on 127.0.0.1:57001-57003;
                     prints CHATDATA_TEST_REDIS_CLUSTER=...
  services standby up|down
                     a streaming hot standby of that PostgreSQL on 127.0.0.1:55433
                     (pg_basebackup -R, for the read-replica tests); prints CHATDATA_TEST_PG_STANDBY=...
  test               chromium when missing (root: apt-get), services up + cluster up + standby up,
                     dotnet test (TRX in artifacts/test-results/),
                     then "N passed, N failed, N skipped"; fails on any failure, skip or no tests
  test redis-newest  the Redis tests again on the newest StackExchange.Redis (TRX in
                     artifacts/test-results-redis-newest/), the library built against its floor
  sample             run samples/Chat.Data.Sample on http://127.0.0.1:5080
                     (database chatdata_sample, created when missing)
  bench [--ci] [--scale ci|full] [args]
                     seed the scale (default ci) when missing, then run
                     benchmarks/Chat.Data.Benchmarks; other args go to BenchmarkDotNet
                     (--ci: short job, markdown report in artifacts/benchmarks/)
  bench --seed ci|full
                     seed the benchmark database only, reporting rows per second
  bench [--scale ci|full] pairs
                     library and hand-written calls in turn, median ratio per round
  load [sends|hot|ratelimit|replicas] [--seconds T] [--senders N]
                     load tests against the library, each beside its floor (pgbench,
                     redis-benchmark) in one run; none named runs them all (replicas
                     needs ./build.sh services standby up)
  pack               NuGet packages into artifacts/packages/
  containers prepare start a container engine (installing Debian's docker.io when missing) and
                     build the PostgreSQL 15 and Redis 7 test images chatdata/postgres:15 and
                     chatdata/redis:7 on a debootstrap rootfs cached in /var/cache/chatdata
  containers test [filter]
                     the same, then dotnet test with no CHATDATA_TEST_* servers, so the tests
                     start their own containers (Testcontainers); TRX in
                     artifacts/test-results-containers/. Stops what it started
  clean              services down, remove .chatdata/ and artifacts/, dotnet clean
  help               this text

Server data and logs live in .chatdata/ (or a /tmp fallback when the postgres
user cannot reach the repo). docker-compose.yml starts the same servers on the
same ports for Docker users.
EOF
}

main() {
    local cmd=${1:-help}
    [[ $# -gt 0 ]] && shift
    if [[ "$cmd" == test && "${1:-}" == redis-newest ]]; then cmd_test_redis_newest; return; fi
    case "$cmd" in
        services) cmd_services "$@" ;;
        test) cmd_test ;;
        sample) cmd_sample ;;
        bench) cmd_bench "$@" ;;
        load) cmd_load "$@" ;;
        pack) cmd_pack ;;
        containers) cmd_containers "$@" ;;
        clean) cmd_clean ;;
        help | -h | --help) usage ;;
        *) usage >&2; die "unknown command: $cmd" ;;
    esac
}

main "$@"
