#!/usr/bin/env bash
# Runs the product on its embedded default — a local SQLite file — with demo data:
# creates a pharmacy, loads a year of history, runs a day at the counter (sales with
# mixed tenders, a listed drug, a refund, a pay-out), closes, counts and reconciles the
# drawer, prints the Z closing and the day's figures, and verifies the audit trail.
#
#   bash scripts/demo.sh            # fresh demo database in demo-out/pharmacie.db
#   DEMO_DAYS=30 bash scripts/demo.sh
#   DEMO_PHARMACTL=path/to/pharmactl DEMO_OUT=dir ...   # a built binary, another folder
#                                                         # (the test command runs it so)
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pharmasaas/target}"
command -v cargo >/dev/null || { echo "cargo is missing: install rustup first (https://rustup.rs)" >&2; exit 1; }
command -v cc >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends build-essential; }
command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends python3; }

if [ -n "${DEMO_PHARMACTL:-}" ]; then
    P="$DEMO_PHARMACTL"
else
    echo "== Compilation de pharmactl"
    cargo build --release --quiet -p pharma-core --bin pharmactl
    P="$CARGO_TARGET_DIR/release/pharmactl"
fi

out="${DEMO_OUT:-demo-out}"
mkdir -p "$out"
export PHARMA_DB="${PHARMA_DB:-$out/pharmacie.db}"
rm -f "$PHARMA_DB" "$PHARMA_DB-wal" "$PHARMA_DB-shm"
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
step() { printf '\n== %s\n' "$1"; }

step "Création de la pharmacie"
"$P" init --name "Pharmacie Al Amal" --ice 001234567000089 --address "12 boulevard Zerktouni, Casablanca" \
    --owner-login fatima --owner-name "Fatima Benali" --owner-pin 1234 --register C1
export PHARMA_USER=fatima PHARMA_PIN=1234
"$P" user add karim --name "Karim Idrissi" --role manager --new-pin 2345
"$P" user add salma --name "Salma Ouazzani" --role cashier --new-pin 3456

step "Données de démonstration (${DEMO_DAYS:-365} jours)"
"$P" demo seed --days "${DEMO_DAYS:-365}"

step "Une journée au comptoir (Salma, caisse C1)"
export PHARMA_USER=salma PHARMA_PIN=3456
"$P" session open --register C1 --float 100x2,50x4,20x5,10x5,5x6,2x10,1x10
picks=$("$P" --json catalog list --limit 400 | json "' '.join(r['barcode'] for r in d if r['on_hand'] >= 3 and r['schedule'] == 'none' and r['barcode'])")
listed=$("$P" --json catalog list --limit 4000 | json "next(r['barcode'] for r in d if r['on_hand'] >= 1 and r['schedule'] == 'C')")
read -r a b c e _ <<<"$picks"
cash=61000   # the float, in centimes
sale() { "$P" --json sale "$@"; }
# Every tender comes from the total the product quotes for the lines (prices, the
# first-expiring lot's sticker price): the demo pays correctly on any day's catalog.
quote() { "$P" --json quote "$@" | json "d['total']"; }
dh() { printf '%d,%02d' $(($1 / 100)) $(($1 % 100)); }
round_up() { echo $(( ($1 + $2 - 1) / $2 * $2 )); }   # centimes, to a multiple of $2
# Cash: the customer hands the next 100 DH note above the total.
q=$(quote --line "$a:2" --line "$b"); given=$(round_up $((q + 1)) 10000)
t=$(sale --line "$a:2" --line "$b" --tender "cash:$(dh "$given")"); echo "$t"
first=$(echo "$t" | json "d['ticket_no']")
cash=$((cash + given - $(echo "$t" | json "d['change_due']")))
# Card for 10 DH (or all of it, if less), the rest in cash rounded up to 10 DH.
q=$(quote --line "$c"); card=$(( q < 1000 ? q : 1000 )); rest=$((q - card))
tenders=(--tender "card:$(dh "$card")")
given=0
if [ "$rest" -gt 0 ]; then given=$(round_up "$rest" 1000); tenders+=(--tender "cash:$(dh "$given")"); fi
t=$(sale --line "$c" "${tenders[@]}"); echo "$t"
cash=$((cash + given - $(echo "$t" | json "d['change_due']")))
# Mobile wallet: the exact amount.
total=$(quote --line "$e")
t=$(sale --line "$e" --tender "mobile:$(dh "$total")"); echo "$t"
q=$(quote --line "$listed" --prescriber "Dr Alaoui" --patient "M. B."); given=$(round_up $((q + 1)) 10000)
t=$(sale --line "$listed" --tender "cash:$(dh "$given")" --prescriber "Dr Alaoui" --patient "M. B."); echo "$t"
cash=$((cash + given - $(echo "$t" | json "d['change_due']")))
r=$("$P" --json refund --ticket "$first" --line 1:1 --restock --reason "boîte en double"); echo "$r"
cash=$((cash - $(echo "$r" | json "d['total']")))
"$P" cash-move out 35 --reason "bouteilles d'eau pour l'officine"
cash=$((cash - 3500))

step "Fermeture, comptage à l'aveugle et rapprochement"
"$P" session close
# The drawer is 20 DH short: a 20 DH note given back by mistake.
counted=$(python3 -c "
left=$cash - 2000; out=[]
for v,label in [(20000,'200'),(10000,'100'),(5000,'50'),(2000,'20'),(1000,'10'),(500,'5'),(200,'2'),(100,'1'),(50,'0.5'),(20,'0.2'),(10,'0.1'),(5,'0.05'),(1,'0.01')]:
    n,left=divmod(left,v)
    if n: out.append(f'{label}x{n}')
print(','.join(out))")
"$P" reconcile count --cash "$counted" --card "$(dh "$card")" --mobile-wallet "$(dh "$total")"
"$P" reconcile step --kind transaction_fix --amount=-20 --description "billet de 20 DH rendu en trop au ticket 2"
"$P" reconcile submit

step "Clôture Z (Karim, gérant)"
export PHARMA_USER=karim PHARMA_PIN=2345
"$P" z-close --register C1

step "Les chiffres du jour"
"$P" report

step "Contrôles"
"$P" audit verify
"$P" stock alerts | head -n 8
echo
echo "Base de démonstration : $PHARMA_DB  (PHARMA_DB=$PHARMA_DB PHARMA_USER=fatima PHARMA_PIN=1234 $P --help)"
