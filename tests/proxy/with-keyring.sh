#!/bin/sh
# Runs a test inside a private D-Bus session with an unlocked gnome-keyring (the real Secret Service),
# keyring files in a temp HOME. Usage: with-keyring.sh TEST_EXECUTABLE [ARGS...]
set -e
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
exec dbus-run-session -- sh -c 'echo tokenledger-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "$@"' sh "$@"
