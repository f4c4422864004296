#!/usr/bin/env bash
# `make run`: starts the explorer from the build tree ($1); more arguments go to strata.
# Without a display it cannot show a window: it runs under Xvfb with --screenshot instead and
# prints the PNG's path (docs/screenshots/ is where README's pictures come from).
set -euo pipefail
build=${1:-build}
exe="$build/app/strata"
if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
    shot=${STRATA_SCREENSHOT:-$build/strata-screenshot.png}
    echo "run.sh: no display: taking a screenshot under Xvfb instead" >&2
    xvfb-run -a -s "-screen 0 1280x800x24" "$exe" --screenshot "$shot" \
        --select "${STRATA_SELECT:-customer}" "${@:2}"
    exit
fi
exec "$exe" "${@:2}"
