# Sourced by build.sh: where servers keep their state, and small helpers.

STATE_DIR="$REPO/.chatdata"                 # git-ignored
# Used when the postgres OS user cannot reach the repo (e.g. a mode-700 clone).
REPO_HASH="$(printf '%s' "$REPO" | sha256sum | cut -c1-12)"
FALLBACK_DIR="${TMPDIR:-/tmp}/chatdata-$REPO_HASH"
# ...and if $TMPDIR is itself private to root, plain /tmp.
FALLBACK_DIR2="/tmp/chatdata-$REPO_HASH"
# The servers' settings. PostgreSQL's are copied into the data directory, which the postgres OS
# user can reach when the repo is not.
CONFIG_DIR="$REPO/build/config"

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
