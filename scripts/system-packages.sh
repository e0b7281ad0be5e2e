#!/usr/bin/env bash
# The few Debian packages the project needs besides Python and Node: gettext (catalogues),
# Chromium (browser tests), poppler-utils (PDF report tests) and faketime (the suite at
# another hour of the day, `make test-clock`). Installs what is missing
# when it can (root with apt-get); otherwise says what to install and carries on.
set -euo pipefail
need=()
command -v msgfmt >/dev/null || need+=(gettext)
command -v chromium >/dev/null || need+=(chromium)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v faketime >/dev/null || need+=(faketime)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Please install these Debian packages: ${need[*]}" >&2
fi
