#!/usr/bin/env bash
# TokenLedger developer entry point.
#   tools/dev.sh run [-- APP ARGS]   install dependencies, build, open the app on its default ledger
#   tools/dev.sh test                install dependencies, build, run the whole test suite (ctest)
#   tools/dev.sh bench               build and run the benchmarks (prints figures; not tests)
#   tools/dev.sh deps                install the build and test dependencies only
# Debian 12 / Ubuntu 24.04. Needs root or sudo for apt-get; set TL_SKIP_DEPS=1 to skip installing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${TL_BUILD_DIR:-$ROOT/build}

DEPS=(
  cmake ninja-build g++ pkg-config
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev libqt6sql6-sqlite qt6-charts-dev qt6-tools-dev qt6-tools-dev-tools
  qt6-l10n-tools qt6-translations-l10n libgl-dev libxkbcommon-dev
  qcoro-qt6-dev qtkeychain-qt6-dev libcsv-dev libpcre2-dev
  libhttp-parser-dev libcurl4-openssl-dev libhnswlib-dev libsimdjson-dev zlib1g-dev nginx
  fonts-noto-cjk fonts-dejavu-core
  gnome-keyring dbus dbus-x11 libsecret-tools
  curl sqlite3 libsqlite3-dev python3 xvfb
)

deps() {
  [ "${TL_SKIP_DEPS:-0}" = 1 ] && return 0
  local missing=()
  for p in "${DEPS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node.js and npm run the SDK clients and the tokenizer oracle; the machine may already have a Node.js
  # from elsewhere (nodesource's nodejs bundles npm and conflicts with Debian's npm package).
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    dpkg-query -W -f='${Status}' nodejs 2>/dev/null | grep -q "install ok installed" || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

configure() {
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=${TL_BUILD_TYPE:-RelWithDebInfo} "${launcher[@]}" "$@" >/dev/null
}

# build [TARGET...]: everything by default; `run` builds only the app (tests and benchmarks are most of the tree).
build() {
  configure
  if [ $# -gt 0 ]; then
    cmake --build "$BUILD" --parallel "$(nproc)" --target "$@"
  else
    cmake --build "$BUILD" --parallel "$(nproc)"
  fi
}

case "${1:-run}" in
  deps) deps ;;
  run)
    shift || true
    [ "${1:-}" = "--" ] && shift
    deps; build tokenledger
    exec "$BUILD/app/tokenledger" "$@"
    ;;
  test)
    deps; build
    # Node.js test tools (SDK clients, the tiktoken oracle) pinned by each folder's package-lock.json.
    for pj in tests/*/package.json tests/*/*/package.json; do
      [ -f "$pj" ] || continue
      ( cd "$(dirname "$pj")" && npm ci --no-audit --no-fund --loglevel=error )
    done
    cd "$BUILD"
    exec ctest --output-on-failure --timeout 600 -j "$(nproc)"
    ;;
  bench)
    deps; build
    exec "$ROOT/tests/bench/run-benchmarks.sh" "$BUILD"
    ;;
  *) echo "usage: tools/dev.sh run|test|bench|deps" >&2; exit 2 ;;
esac
