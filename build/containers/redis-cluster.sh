#!/bin/sh
# A Redis Cluster of one master per argument, in one container, for the tests. Each argument is a port
# that is published 1:1 on the host's loopback, and every node announces 127.0.0.1: the addresses the
# cluster hands out are the same inside the container and on the host. The cluster bus stays inside
# the container (ports 7001.., below the host's ephemeral range the test ports come from).
set -eu
nodes=""
bus=7000
for port in "$@"; do
    bus=$((bus + 1))
    redis-server --port "$port" --protected-mode no --save '' --appendonly no --daemonize yes \
        --cluster-enabled yes --cluster-config-file "/tmp/nodes-$port.conf" --cluster-port "$bus" \
        --cluster-announce-ip 127.0.0.1 --cluster-node-timeout 5000 --logfile "/tmp/redis-$port.log"
    nodes="$nodes 127.0.0.1:$port"
done
for port in "$@"; do
    until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
done
# shellcheck disable=SC2086 # one argument per node
redis-cli --cluster create $nodes --cluster-replicas 0 --cluster-yes
for port in "$@"; do
    until redis-cli -p "$port" cluster info | grep -q cluster_state:ok; do sleep 0.2; done
done
echo "Redis Cluster ready"
trap 'exit 0' TERM INT
sleep infinity &
wait
