#!/usr/bin/env bash
# `make run`: starts the explorer from the build tree ($1). Without a display it runs under Xvfb.
set -euo pipefail
build=${1:-build}
exe="$build/app/strata"
if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]] && command -v xvfb-run >/dev/null; then
    exec xvfb-run -a "$exe" "${@:2}"
fi
exec "$exe" "${@:2}"
