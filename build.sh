#!/usr/bin/env bash
# Chat.Data build script: test servers, tests, sample, benchmarks, packages.
# Run ./build.sh help for the sub-commands. Needs bash, the .NET SDK, and
# (for the servers) Debian's postgresql-15 and redis-server packages.
# Each concern is a script in build/scripts/; the servers' settings are files in build/config/.
set -euo pipefail

# Work from the repo root whatever the caller's directory is.
cd "$(dirname "$0")"
REPO="$(pwd -P)"

for script in common postgres redis cluster standby services test dotnet containers; do
    # shellcheck source=/dev/null
    . "build/scripts/$script.sh"
done
unset script

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

