# Sourced by build.sh: `containers prepare|test`, the tests' Testcontainers path on a machine
# with no image registry. PostgreSQL 15 and Redis 7 images are built here on a Debian rootfs
# made with debootstrap; build/containers/ holds their Dockerfiles.
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
# Every test but the read-replica ones: their streaming standby is a build.sh server, with no container.
containers_test() {
    local filter=${1:-FullyQualifiedName!~Chat.Data.Tests.Replicas} results=artifacts/test-results-containers rc=0 src=0
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
