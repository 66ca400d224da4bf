#!/usr/bin/env bash
# The forecast loop on real parts: a demo pharmacy (SQLite, a few months of sales) enrolls
# with a sync server backed by a throwaway PostgreSQL cluster, syncs, the server forecasts
# every item and sends its recommendations back, and the manager turns them into a draft
# supplier order.
#
#   bash scripts/forecast-demo.sh                 # 120 days of history
#   DEMO_DAYS=365 bash scripts/forecast-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# The device credential lives in the kernel keyring: run inside a session keyring of our own.
if [ -z "${PHARMA_IN_KEYRING:-}" ]; then
    command -v keyctl >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends keyutils; }
    PHARMA_IN_KEYRING=1 exec keyctl session - bash "$0" "$@"
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pharmasaas/target}"
command -v cc >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends build-essential; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || {
    apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

step() { printf '\n== %s\n' "$1"; }
step "Compilation (pharmactl, pharma-sync-server)"
cargo build --release --quiet -p pharma-core --bin pharmactl -p pharma-sync-server --bin pharma-sync-server
P="$CARGO_TARGET_DIR/release/pharmactl"
S="$CARGO_TARGET_DIR/release/pharma-sync-server"

OUT="$PWD/demo-out/forecast"
rm -rf "$OUT" && mkdir -p "$OUT"
PGDATA="$OUT/pg"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$PGDATA" && { [ "$(id -u)" != 0 ] || chown postgres "$OUT" "$PGDATA"; }
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "PostgreSQL jetable ($PGDATA)"
as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -o "-k $PGDATA -c listen_addresses=''" -l "$PGDATA/log" -w start >/dev/null
as_pg "$PGBIN/createdb" -h "$PGDATA" -U postgres pharma_sync
export PHARMA_SYNC_DATABASE_URL="postgres://postgres@localhost/pharma_sync?host=$PGDATA"
export PHARMA_SYNC_LISTEN=127.0.0.1:8761 PHARMA_SYNC_FORECAST_ENABLED=false RUST_LOG=warn

"$S" migrate
TENANT=$("$S" tenant create --name "Pharmacie Al Amal" | tail -1)
CODE=$("$S" device enroll-code --tenant "$TENANT" | tail -1)
"$S" serve & SERVER_PID=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:8761/healthz >/dev/null && break; sleep 0.2; done

step "La pharmacie et ${DEMO_DAYS:-120} jours de ventes"
export PHARMA_DB="$OUT/pharmacie.db"
"$P" init --name "Pharmacie Al Amal" --ice 001234567000089 --address "12 boulevard Zerktouni, Casablanca" \
    --owner-login fatima --owner-name "Fatima Benali" --owner-pin 1234 --register C1 >/dev/null
export PHARMA_USER=fatima PHARMA_PIN=1234
"$P" demo seed --days "${DEMO_DAYS:-120}"

step "Enrôlement et synchronisation"
"$P" enroll --server http://127.0.0.1:8761 --code "$CODE" --name "Comptoir 1"
time "$P" sync

step "Prévision sur le serveur"
"$S" forecast run --tenant "$TENANT"

step "Les recommandations arrivent sur le poste"
"$P" sync >/dev/null
"$P" forecast show | head -25

step "Le gérant en fait une commande (brouillon)"
"$P" order from-forecast --supplier "Sophadim" | head -15
