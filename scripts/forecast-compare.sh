#!/usr/bin/env bash
# This engine beside the Python package statsforecast, on the same deterministic data set,
# in one go. Not part of scripts/test.sh: it installs Python packages and takes minutes.
#
#   scripts/forecast-compare.sh [--items 1000] [--days 730] [--horizon 28] [--season 7] [--seed 42]
#                               [--autoets-only]   (statsforecast: AutoETS alone, for large runs)
#                               [--refit]          (refit statsforecast even if its result is cached)
#
# 1. a virtual environment under ${PHARMA_CACHE:-~/.cache/pharmasaas}/venv-forecast with
#    statsforecast and its dependencies at pinned versions (created once, reused after);
# 2. a release build, and the data set from the `forecast_dataset` example;
# 3. `pharma-sync-server forecast eval --out ours.csv` (timed; then `--methods auto` alone);
# 4. scripts/forecast_compare.py fits statsforecast's models on the same training parts;
# 5. `forecast score` scores both forecast files; the side-by-side report is printed and
#    written to ${CARGO_TARGET_DIR}/forecast-compare/report.md (and kept with the run's files
#    in forecast-compare/<items>x<days>-h<horizon>-s<season>-seed<seed>/).
# statsforecast's forecasts and timings do not depend on this engine: they are reused when
# the data set, the options and the pinned versions are unchanged (--refit to redo them, e.g.
# after changing how forecast_compare.py fits), so measuring a change of the engine again
# takes seconds.
# Needs cargo and Python ≥ 3.10 with its venv module (Debian: python3-venv, installed here
# when running as root and missing). PyPI must be reachable the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

items=1000 days=730 horizon=28 season=7 seed=42 autoets_only= refit=
while [ $# -gt 0 ]; do
    case "$1" in
        --items) items="$2"; shift 2 ;;
        --days) days="$2"; shift 2 ;;
        --horizon) horizon="$2"; shift 2 ;;
        --season) season="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --autoets-only) autoets_only=--autoets-only; shift ;;
        --refit) refit=1; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "option inconnue : $1 (voir --help)" >&2; exit 2 ;;
    esac
done

cache="${PHARMA_CACHE:-$HOME/.cache/pharmasaas}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$cache/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
work="$CARGO_TARGET_DIR/forecast-compare/${items}x${days}-h${horizon}-s${season}-seed${seed}"
venv="$cache/venv-forecast"
mkdir -p "$work"

step() { printf '\n== %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }
now() { date +%s%N; }

# Versions checked together on CPython 3.11 (x86_64 Linux wheels, nothing to compile).
requirements="statsforecast==2.1.1
coreforecast==0.0.20
utilsforecast==0.2.17
numpy==2.4.6
pandas==2.3.3
scipy==1.17.1
statsmodels==0.15.0"

step "Python environment ($venv)"
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1 && [ "$python" = python3 ] && [ "$(id -u)" = 0 ] \
    && command -v apt-get >/dev/null 2>&1; then
    # Debian 12's python3 is 3.11, the version the pins were checked on.
    apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 python3-venv
fi
if ! command -v "$python" >/dev/null 2>&1; then
    echo "Python 3.10 or newer is needed (set PYTHON=/path/to/python3)" >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
    echo "statsforecast 2.1 needs Python >= 3.10; found $("$python" --version)" >&2
    exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
    if ! "$python" -m venv "$venv" 2>/dev/null; then
        rm -rf "$venv"
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv
            "$python" -m venv "$venv"
        else
            echo "the venv module is missing (Debian: apt-get install python3-venv)" >&2
            exit 1
        fi
    fi
fi
if [ "$(cat "$venv/.pinned" 2>/dev/null)" != "$requirements" ]; then
    printf '%s\n' "$requirements" >"$venv/requirements.txt"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$venv/requirements.txt"
    printf '%s' "$requirements" >"$venv/.pinned"
fi
"$venv/bin/python" -c 'import statsforecast; print("statsforecast", statsforecast.__version__)'

step "release build"
cargo build --release -p pharma-sync-server --bin pharma-sync-server && cargo build --release -p pharma-forecast --example forecast_dataset
bin="$CARGO_TARGET_DIR/release/pharma-sync-server"

step "data set: $items items x $days days, seed $seed"
cargo run --release -q -p pharma-forecast --example forecast_dataset -- \
    --items "$items" --days "$days" --seed "$seed" --out "$work/series.csv"

common=(--input "$work/series.csv" --horizon "$horizon" --season "$season")

step "this engine: forecast eval (every method + auto)"
t0=$(now)
RUST_LOG=warn "$bin" forecast eval "${common[@]}" --out "$work/ours.csv" --json >"$work/ours-eval.json"
t1=$(now)
step "this engine: forecast eval --methods auto"
RUST_LOG=warn "$bin" forecast eval "${common[@]}" --methods auto --json >"$work/ours-auto.json"
printf '{"ours_eval_seconds": %s}\n' "$(( (t1 - t0) / 1000000 ))e-3" >"$work/wall.json"

stamp="$(sha256sum "$work/series.csv" | cut -d' ' -f1) h$horizon s$season $autoets_only
$requirements"
if [ -z "$refit" ] && [ -f "$work/statsforecast.csv" ] && [ "$(cat "$work/statsforecast.stamp" 2>/dev/null)" = "$stamp" ]; then
    step "statsforecast: same data, options and versions as last time, result reused (--refit to redo)"
else
    step "statsforecast (n_jobs=-1; warm-up first)"
    rm -f "$work/statsforecast.stamp"
    "$venv/bin/python" scripts/forecast_compare.py fit "${common[@]}" \
        --out "$work/statsforecast.csv" --times "$work/statsforecast-times.json" $autoets_only
    printf '%s' "$stamp" >"$work/statsforecast.stamp"
fi

step "forecast score, both files"
RUST_LOG=warn "$bin" forecast score "${common[@]}" --forecasts "$work/ours.csv" --json \
    >"$work/ours-score.json" 2>"$work/ours-score.txt"
RUST_LOG=warn "$bin" forecast score "${common[@]}" --forecasts "$work/statsforecast.csv" --json \
    >"$work/statsforecast-score.json" 2>"$work/statsforecast-score.txt"
cat "$work/statsforecast-score.txt"

step "report"
"$venv/bin/python" scripts/forecast_compare.py report --dir "$work" --horizon "$horizon" \
    --season "$season" --items "$items" --days "$days" --seed "$seed"
cp "$work/report.md" "$CARGO_TARGET_DIR/forecast-compare/report.md"
echo "report: $CARGO_TARGET_DIR/forecast-compare/report.md (and $work/)"
