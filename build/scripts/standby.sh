# Sourced by build.sh: a PostgreSQL streaming standby of postgres.sh's server, on
# 127.0.0.1:55433, data in .chatdata/standby, for the read-replica tests: pg_basebackup -R,
# hot standby, no replication slot (a stopped standby must never make the primary keep WAL).
# The primary needs nothing new: initdb's pg_hba already trusts replication from loopback and
# Debian's wal_level is replica (checked below, never changed). Its settings are
# build/config/standby/postgresql.conf.
STANDBY_PORT=${CHATDATA_STANDBY_PORT:-55433}

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
    {
        printf '# Written by build.sh when the standby is made; edits here are lost.\n'
        printf '%s\nport = %s\n' "$conninfo" "$STANDBY_PORT"
        cat "$CONFIG_DIR/standby/postgresql.conf"
    } | as_pg_owner "$dir" tee "$dir/postgresql.auto.conf" >/dev/null
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
