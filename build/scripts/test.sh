# Sourced by build.sh: `test` and `test redis-newest`, every test on the build.sh servers, and
# the TRX summary they (and `containers test`) end with.
RESULTS_DIR="artifacts/test-results"

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
