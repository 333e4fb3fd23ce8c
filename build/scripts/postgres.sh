# Sourced by build.sh: PostgreSQL 15 from Debian's binaries, on loopback, data in .chatdata/pg.
# Its settings are build/config/postgres/postgresql.conf.

# Ports are fixed so the connection strings are the same on every machine (and match
# docker-compose.yml); CHATDATA_PG_PORT (and CHATDATA_REDIS_PORT, CHATDATA_CLUSTER_PORTS,
# CHATDATA_STANDBY_PORT) start a second set of servers beside them.
PG_HOST=127.0.0.1
PG_PORT=${CHATDATA_PG_PORT:-55432}
PG_DEFAULT_CS="Host=${PG_HOST};Port=${PG_PORT};Username=postgres;Database=postgres"

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
    # Rewritten on every start, so settings changed in build/config always apply.
    {
        printf '# Written by build.sh on every start; edits here are lost.\n'
        printf "port = %s\nunix_socket_directories = '%s'\n" "$PG_PORT" "$sockdir"
        cat "$CONFIG_DIR/postgres/postgresql.conf"
    } | as_pg_owner "$pgdata" tee "$pgdata/postgresql.auto.conf" >/dev/null

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
