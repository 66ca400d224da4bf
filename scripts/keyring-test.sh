#!/usr/bin/env bash
# The device credential against a real Secret Service: installs Debian's gnome-keyring and
# dbus when missing, then runs the test that enrolls inside one D-Bus session with a real
# gnome-keyring-daemon, ends the session (bus and daemon gone, as at a reboot) and reads the
# credential back and syncs in a fresh session on the same scratch dirs
# (core/tests/keyring_secret_service.rs). It is `#[ignore]`d in the plain test run because it
# needs these system packages.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pharmasaas/target}"

if ! command -v gnome-keyring-daemon >/dev/null 2>&1 || ! command -v dbus-run-session >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends gnome-keyring dbus libsecret-tools
fi

cargo test -p pharma-core --test keyring_secret_service -- --include-ignored
