#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster: initdb into a fresh temporary directory,
# a free port on 127.0.0.1, password (SCRAM) authentication. The cluster's URL is exported as
# STRATA_TEST_PG_URL; the cluster is stopped and removed when the command ends.
# Under CI (CI set), a server that cannot start fails the run instead of skipping PG suites.
set -uo pipefail
cmd=("$@")

fail_or_skip() {
    echo "with-postgres: $*" >&2
    if [[ -n ${CI:-} ]]; then exit 1; fi
    echo "with-postgres: running without PostgreSQL (PostgreSQL suites will skip)" >&2
    exec "${cmd[@]}"
}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x $bindir/initdb ]] || fail_or_skip "no PostgreSQL server installed (initdb not found)"

dir=$(mktemp -d /tmp/strata-pg.XXXXXX)
chmod 755 "$dir"
runas=()
if [[ $(id -u) -eq 0 ]]; then
    # The server refuses to run as root: hand the cluster to an unprivileged user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    runas=(runuser -u postgres --)
fi

# A port nobody listens on, other than those given. Below the kernel's ephemeral range (32768
# and up): the suites' own listeners and every client connection take ports there, and a
# server that picked one of those could not bind it. Empty when none was found.
free_port() {
    local candidate
    for _ in $(seq 50); do
        candidate=$((20000 + RANDOM % 12000))
        [[ " $* " == *" $candidate "* ]] && continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then echo "$candidate"; return; fi
    done
}
port=$(free_port)
[[ -n $port ]] || fail_or_skip "no free port found"

password="strata-test-$RANDOM$RANDOM"
printf '%s\n' "$password" > "$dir/pwfile"
[[ ${#runas[@]} -gt 0 ]] && chown postgres "$dir/pwfile"

# The server's user may not enter the caller's directory: run its commands from /.
as_owner() { (cd / && "${runas[@]}" "$@"); }

cleanup() {
    for pair in "$dir"/pairs/*/; do
        [[ -d $pair ]] || continue
        for node in standby primary; do
            [[ -d $pair$node ]] && as_owner "$bindir/pg_ctl" -D "$pair$node" -m immediate stop >/dev/null 2>&1
        done
    done
    [[ -f $dir/pgbouncer.pid ]] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
    [[ -d $dir/standby ]] && as_owner "$bindir/pg_ctl" -D "$dir/standby" -m immediate stop >/dev/null 2>&1
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT

as_owner "$bindir/initdb" -D "$dir/data" -U strata --pwfile="$dir/pwfile" \
    --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; fail_or_skip "initdb failed"; }

as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; fail_or_skip "server did not start"; }

export STRATA_TEST_PG_URL="postgresql://strata:$password@127.0.0.1:$port/postgres"

# A streaming standby of it (pg_basebackup -R), read-only, on a second free port: the suites'
# read replica. It follows the primary until the suite ends.
# Without it only the replica suites lack a server: they fail under CI, skip elsewhere.
standby_missing() {
    echo "with-postgres: $*" >&2
    if [[ -n ${CI:-} ]]; then exit 1; fi
    echo "with-postgres: running without the standby" >&2
}
standby_port=$(free_port "$port")
if [[ -z $standby_port ]]; then
    standby_missing "no free port found for the standby"
elif ! as_owner env PGPASSWORD="$password" "$bindir/pg_basebackup" -h 127.0.0.1 -p "$port" -U strata \
    -D "$dir/standby" -R -X stream >"$dir/basebackup.log" 2>&1; then
    cat "$dir/basebackup.log" >&2
    standby_missing "pg_basebackup failed"
elif ! as_owner "$bindir/pg_ctl" -D "$dir/standby" -l "$dir/standby.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -c port=$standby_port -c unix_socket_directories=$dir \
        -c fsync=off -c max_connections=200 -c hot_standby=on" \
    start >/dev/null; then
    cat "$dir/standby.log" >&2
    standby_missing "the standby did not start"
else
    export STRATA_TEST_PG_STANDBY_URL="postgresql://strata:$password@127.0.0.1:$standby_port/postgres"
fi

# PgBouncer in transaction pooling mode in front of the cluster, with 2 server connections, so
# that consecutive transactions of one client really land on different server sessions. Its
# URL is STRATA_TEST_PGBOUNCER_URL; without it the pooler suites fail under CI, skip elsewhere.
bouncer_port=$(free_port "$port" "$standby_port")
bouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
if [[ ! -x $bouncer ]]; then
    standby_missing "pgbouncer is not installed"
elif [[ -z $bouncer_port ]]; then
    standby_missing "no free port found for PgBouncer"
else
    printf '"strata" "%s"\n' "$password" > "$dir/userlist.txt"
    chmod 600 "$dir/userlist.txt"
    cat > "$dir/pgbouncer.ini" <<BOUNCER
[databases]
* = host=127.0.0.1 port=$port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 500
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
BOUNCER
    [[ ${#runas[@]} -gt 0 ]] && chown postgres "$dir/userlist.txt" "$dir/pgbouncer.ini"
    if as_owner "$bouncer" -d -q "$dir/pgbouncer.ini" 2>"$dir/pgbouncer.err"; then
        for _ in $(seq 50); do
            (exec 3<>"/dev/tcp/127.0.0.1/$bouncer_port") 2>/dev/null && break
            sleep 0.1
        done
        export STRATA_TEST_PGBOUNCER_URL="postgresql://strata:$password@127.0.0.1:$bouncer_port/postgres"
    else
        cat "$dir/pgbouncer.err" "$dir/pgbouncer.log" >&2 2>/dev/null
        standby_missing "PgBouncer did not start"
    fi
fi

# Restarts the cluster in place (same port and data): for the suite and the benchmark that test
# a real server restart. Only suites that CTest runs alone (RUN_SERIAL) may call it.
cat > "$dir/restart.sh" <<RESTART
#!/usr/bin/env bash
cd / && ${runas[*]} "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m fast restart >/dev/null
RESTART
chmod 755 "$dir/restart.sh"
export STRATA_TEST_PG_RESTART="$dir/restart.sh"
# A primary/standby pair of its own for a failover test, which destroys the pair's roles:
#   pair.sh create NAME -> prints "PRIMARY_PORT STANDBY_PORT" (same user and password)
#   pair.sh stop-primary NAME | promote NAME
cat > "$dir/pair.sh" <<PAIR
#!/usr/bin/env bash
set -euo pipefail
base="$dir/pairs/\$2"
run() { (cd / && ${runas[*]} "\$@"); }
$(declare -f free_port)
# Starts a server of the pair on a free port (another, if someone took that one meanwhile):
# prints the port; fails after five tries.
start_on_free_port() { # data directory, log, ports to avoid...
    local data=\$1 log=\$2 p; shift 2
    for _ in 1 2 3 4 5; do
        p=\$(free_port "\$@")
        [[ -n \$p ]] || continue
        if run "$bindir/pg_ctl" -D "\$data" -l "\$log" -w -t 60 -o "\$(opts \$p)" start >/dev/null; then
            echo "\$p"; return 0
        fi
    done
    return 1
}
opts() { echo "-c listen_addresses=127.0.0.1 -c port=\$1 -c unix_socket_directories=$dir -c fsync=off -c max_connections=50"; }
case \$1 in
create)
    mkdir -p "\$base"; chmod 755 "$dir/pairs" "\$base"
    [[ -n "${runas[*]}" ]] && chown postgres "\$base"
    # A server that does not start says why (its log) on stderr, which the test shows.
    failed() { echo "pair.sh: creating \$2 failed at \$1" >&2; cat "\$base"/*.log >&2 2>/dev/null || true; exit 1; }
    run "$bindir/initdb" -D "\$base/primary" -U strata --pwfile="$dir/pwfile" \\
        --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null || failed initdb "\$2"
    p1=\$(start_on_free_port "\$base/primary" "\$base/primary.log" $port $standby_port $bouncer_port) || failed "primary start" "\$2"
    run env PGPASSWORD="$password" "$bindir/pg_basebackup" -h 127.0.0.1 -p \$p1 -U strata \\
        -D "\$base/standby" -R -X stream >/dev/null || failed pg_basebackup "\$2"
    p2=\$(start_on_free_port "\$base/standby" "\$base/standby.log" \$p1 $port $standby_port $bouncer_port) || failed "standby start" "\$2"
    echo "\$p1 \$p2" ;;
stop-primary) run "$bindir/pg_ctl" -D "\$base/primary" -m immediate -w stop >/dev/null ;;
promote) run "$bindir/pg_ctl" -D "\$base/standby" -w -t 30 promote >/dev/null ;;
esac
PAIR
chmod 755 "$dir/pair.sh"
export STRATA_TEST_PG_PAIR="$dir/pair.sh"
export STRATA_BENCH_PG_URL=${STRATA_BENCH_PG_URL:-$STRATA_TEST_PG_URL}
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, standby on 127.0.0.1:$standby_port, PgBouncer on 127.0.0.1:$bouncer_port"
"${cmd[@]}"
