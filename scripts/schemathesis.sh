#!/usr/bin/env bash
# Property-based tests of the sync server against its own OpenAPI description, with
# every schemathesis check on: once without a credential, once as an enrolled device.
# Fails on any 5xx or any answer the description does not allow.
#
# It builds the server (debug), starts a throwaway PostgreSQL cluster (unix socket only,
# removed on exit), creates a pharmacy and enrolls a device with curl, then runs a pinned
# schemathesis from a venv under $CARGO_TARGET_DIR. About a minute and a half in all (SCHEMATHESIS_EXAMPLES=100 cases per operation).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pharmasaas/target}"
SCHEMATHESIS_VERSION=4.32.5
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-100}"
venv="$CARGO_TARGET_DIR/schemathesis-venv"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build -q -p pharma-sync-server --bin pharma-sync-server
server_bin="$CARGO_TARGET_DIR/debug/pharma-sync-server"

# A throwaway cluster, as sync-server/tests/common/pg.rs makes one: initdb refuses root,
# so as root the tools run as `postgres`.
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
work="$(mktemp -d /tmp/pharma-schemathesis-XXXXXX)"
as_pg=()
if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$work"
    as_pg=(runuser -u postgres --)
fi
port=55433
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/data" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -w -D "$work/data" -l "$work/pg.log" \
    -o "-p $port -k $work -c listen_addresses='' -c fsync=off" start >/dev/null
"${as_pg[@]}" "$pg_bin/createdb" -h "$work" -p "$port" -U postgres pharma_sync

export PHARMA_SYNC_DATABASE_URL="postgres://postgres@localhost:$port/pharma_sync?host=$work"
export PHARMA_SYNC_LISTEN=127.0.0.1:0
export PHARMA_SYNC_FORECAST_ENABLED=false
# Generous rates: schemathesis is to reach the routes' logic, not the throttles (which
# have their own tests in sync-server/tests/hardening.rs).
export PHARMA_SYNC_PUSHES_PER_MINUTE_PER_DEVICE=100000
export PHARMA_SYNC_ENROLL_ATTEMPTS_PER_MINUTE_PER_ADDRESS=100000
export RUST_LOG=warn,pharma_sync_server::server=info

"$server_bin" migrate >/dev/null
tenant="$("$server_bin" tenant create --name "Pharmacie Schemathesis")"
code="$("$server_bin" device enroll-code --tenant "$tenant")"
"$server_bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    addr="$(sed -n 's/.*listening on \([0-9.:]*\).*/\1/p' "$work/server.log" | head -n 1)"
    [ -n "$addr" ] && break
    sleep 0.1
done
[ -n "$addr" ] || { cat "$work/server.log"; echo "the server did not start" >&2; exit 1; }
base="http://$addr"

device_id="$(python3 -c 'import uuid; print(uuid.uuid4())')"
credential="$(curl -sf "$base/v1/enroll" -H 'x-pharma-protocol: 1' -H 'content-type: application/json' \
    -d "{\"code\":\"$code\",\"device_name\":\"Schemathesis\",\"device_id\":\"$device_id\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["credential"])')"

# What this protocol answers that schemathesis cannot guess: a missing or unreadable
# x-pharma-protocol header is refused with 426 (the client must update), not 400; and a
# push that fits the schema can still carry bytes that are no Automerge change (400,
# quarantined): the schema cannot describe a valid change. A valid /v1/live handshake is
# answered 101 Switching Protocols, which the checks do not expect by default.
cat >"$work/schemathesis.toml" <<'TOML'
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "426", "428", "429"]

[checks.missing_required_header]
expected-statuses = ["400", "401", "403", "406", "415", "422", "426"]

[[operations]]
include-path = "/v1/push"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "409", "429"]

[[operations]]
include-path = "/v1/live"
checks.positive_data_acceptance.expected-statuses = ["101", "401", "403", "429"]
checks.not_a_server_error.expected-statuses = ["101", "2xx", "3xx", "4xx"]
TOML

# Run from the scratch folder: schemathesis keeps a cache in its working directory.
run() {
    (cd "$work" && "$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run \
        "$base/v1/openapi.json" --url "$base" \
        --checks all --max-examples "$EXAMPLES" --seed 1 --no-color \
        --generation-database none --suppress-health-check too_slow,filter_too_much \
        --request-timeout 10 "$@")
}
echo "== schemathesis without a credential"
run
echo "== schemathesis as an enrolled device"
# After a 101 on /v1/live, the Python client puts the now-WebSocket connection back in
# its pool and sends the next request on it; the server reads that as a bad frame and
# closes it. One retry (on a fresh connection) absorbs this client-side reuse; a server
# that truly drops connections still fails.
run -H "Authorization: Bearer $credential" --request-retries 1
if grep -q ' ERROR ' "$work/server.log"; then
    grep ' ERROR ' "$work/server.log" >&2
    echo "the server logged errors" >&2
    exit 1
fi
