# Sourced by build.sh: a Redis Cluster of 3 masters, no replicas, on 57001-57003, state in
# .chatdata/redis-cluster. Each node is redis.sh's Redis plus build/config/redis-cluster/node.conf.
# The cluster bus port would be port+10000 (> 65535), so it is set to port-10000 instead.
read -ra CLUSTER_PORTS <<<"${CHATDATA_CLUSTER_PORTS:-57001 57002 57003}"
CLUSTER_DEFAULT=$(printf '127.0.0.1:%s,' "${CLUSTER_PORTS[@]}")
CLUSTER_DEFAULT=${CLUSTER_DEFAULT%,}

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
        redis_start "$p" "$dir" --include "$CONFIG_DIR/redis-cluster/node.conf" \
            --cluster-config-file "$dir/nodes-$p.conf" --cluster-port "$((p - 10000))"
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
