# Sourced by build.sh: `services up|down|status|cluster up|down|standby up|down`, one at a time
# on the machine.

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
