#!/usr/bin/env bash
# The Debian package the production stack adds to the project's (scripts/system-packages.sh):
# nginx, the reverse proxy (docs/decisions/0023-production-server.md). Installed when missing
# and run by `scripts/production` with the project's own configuration, never as the
# distribution's service: the package's own start is held back (RUNLEVEL=1), so nothing
# listens on port 80 until an administrator enables deploy/nginx/kindsteps.conf.
set -euo pipefail
command -v nginx >/dev/null && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  RUNLEVEL=1 apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
else
  echo "Please install this Debian package: nginx-light" >&2
  exit 1
fi
