# Sourced by build.sh: `sample`, `bench`, `load`, `pack` and `clean`.
SAMPLE_DB=chatdata_sample
SAMPLE_URL=http://127.0.0.1:5080
PACKAGES_DIR="artifacts/packages"

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

# All args (including --ci: short job, markdown into artifacts/benchmarks/)
# go to the benchmark program.
cmd_bench() {
    services_up
    dotnet run -c Release --project benchmarks/Chat.Data.Benchmarks -- "$@"
}

cmd_load() {
    services_up
    # The load client shares the machine's cores with PostgreSQL and Redis; the .NET thread pool's
    # spinning while it waits for work would take their CPU, which a client on its own machine never
    # does. Set for this process only, never by the library.
    DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 dotnet run -c Release --project benchmarks/Chat.Data.Benchmarks -- load "$@"
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
