#!/usr/bin/env bash
# Every test of the project, on a fresh machine of this kind or a warm one.
# Installs what is missing (the pinned toolchain and the wasm target, a C compiler,
# PostgreSQL's server binaries), then runs:
# formatting, clippy (warnings are errors), the pure domain built for wasm32 without the
# device feature, the docs without warnings, and every unit, property, integration and
# crash test, the sync tests again at large, boundary-crossing transaction ids, and
# schemathesis against the server's OpenAPI description.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pharmasaas/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
mkdir -p "$CARGO_TARGET_DIR"

step() { printf '\n== %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }

step "toolchain"
if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo is missing: install rustup first (https://rustup.rs)" >&2
    exit 1
fi
# rust-toolchain.toml pins the version; make sure its components and the wasm target are there.
rustup show active-toolchain >/dev/null
toolchain="$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)"
rustup component add --toolchain "$toolchain" rustfmt clippy >/dev/null 2>&1 || true
rustup target add --toolchain "$toolchain" wasm32-unknown-unknown >/dev/null
if ! command -v cc >/dev/null 2>&1; then
    # SQLite is compiled from source (rusqlite's bundled feature): it needs a C compiler.
    apt-get update -qq && apt-get install -y -qq --no-install-recommends build-essential
fi

# The sync server's tests start a throwaway PostgreSQL cluster: the server binaries must be
# there (Debian's postgresql package; nothing needs to be running).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql
fi

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (-D warnings)"
cargo clippy --workspace --all-targets -- -D warnings

step "pure domain for wasm32 (no device feature)"
cargo check -p pharma-core --no-default-features --target wasm32-unknown-unknown

step "crate borders"
# Feature unification in a workspace build can hide a crate that leans on another's
# dependencies: each is checked on its own, and what must never be in it is looked for.
cargo check -q -p pharma-sync-server
cargo check -q -p pharma-forecast
forbidden() { # crate, cargo tree flags, forbidden crates
    local crate="$1" flags="$2"; shift 2
    local found
    # shellcheck disable=SC2086
    found="$(cargo tree -q -p "$crate" $flags -e normal --prefix none | awk '{print $1}' | sort -u | grep -Fx "$@" || true)"
    if [ -n "$found" ]; then echo "$crate depends on: $found" >&2; exit 1; fi
}
forbidden pharma-sync-server "" -e rusqlite -e keyring
forbidden pharma-forecast "" -e rusqlite -e keyring -e reqwest -e tokio -e sqlx-core -e axum -e automerge
forbidden pharma-core "--no-default-features" -e rusqlite -e reqwest -e keyring -e clap -e anyhow -e tokio

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "tests"
cargo test --workspace --all-targets --features pharma-core/fault-injection
cargo test --workspace --doc

# The sync and convergence tests again on clusters whose transaction ids are large: each
# cluster starts just before a boundary (a change of digit count; the 2^32 wrap of 32-bit
# xids into the next epoch) that the tests' histories cross while they run, with pull pages
# small enough to straddle it (see sync-server/tests/common/pg.rs).
for start in 999000 8589929592; do
    step "sync at transaction ids from $start"
    PHARMA_TEST_PG_XID=$start PHARMA_TEST_PULL_PAGE=8 cargo test -p pharma-e2e -p pharma-sync-server \
        --test shift --test devices_and_server --test feed_recheck --test sync --test consolidation
done

# The README's run command, on a short history, today and at dates where days, months and
# years turn in the pharmacy's time zone (faketime sets the clock of the demo's processes).
step "the demo (README's run command), at several dates"
if ! command -v faketime >/dev/null 2>&1; then
    apt-get install -y -qq --no-install-recommends faketime >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends faketime >/dev/null; }
fi
cargo build -q -p pharma-core --bin pharmactl
demo_out="$(mktemp -d)"
for when in now "2026-12-31 23:40:00" "2027-02-28 23:55:00" "2028-02-29 12:00:00"; do
    echo "-- demo at $when"
    run=(env DEMO_DAYS=15 DEMO_PHARMACTL="$CARGO_TARGET_DIR/debug/pharmactl" DEMO_OUT="$demo_out")
    if [ "$when" = now ]; then "${run[@]}" bash scripts/demo.sh >"$demo_out/log" 2>&1 || { cat "$demo_out/log"; exit 1; }
    else TZ=UTC faketime "$when" "${run[@]}" bash scripts/demo.sh >"$demo_out/log" 2>&1 || { cat "$demo_out/log"; exit 1; }
    fi
    grep "journée du" "$demo_out/log"
done
rm -rf "$demo_out"

step "device credential in a real Secret Service, across a restart of its session"
bash scripts/keyring-test.sh

step "schemathesis (OpenAPI conformance, every check, with and without a credential)"
bash scripts/schemathesis.sh

step "all green"
