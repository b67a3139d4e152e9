#!/usr/bin/env bash
# Everything a fresh Debian machine needs for the demo and the tests: Debian packages for the local test
# hosts, the npm packages, a build, and the cached test-host rootfs. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
# python3-django: @runbook/s3-static's tests run the demo's collectstatic on this machine
need=(debootstrap systemd-container apt-cacher-ng iproute2 openssh-client ca-certificates git curl pebble redis-server postgresql-client python3-django
  ansible-core ansible-mitogen time  # the benchmark's Ansible side and its whole-process timer
  capistrano python3-fabric  # the deploy benchmark's other deployers (npm run bench:deploy-smoke)
  chromium  # renders `run report`'s page in apps/cli's run-files test
  make)  # create-runbook's end-to-end test runs the Makefile it writes
missing=()
for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# the stack tests also run on Debian 13: a debootstrap older than trixie's script builds it with sid's
if [ ! -e /usr/share/debootstrap/scripts/trixie ]; then ln -s sid /usr/share/debootstrap/scripts/trixie; fi
# the packaged apt-cacher-ng daemon is not ours: the test hosts start their own on the test bridge
if [ -f /var/run/apt-cacher-ng/pid ]; then kill "$(cat /var/run/apt-cacher-ng/pid)" 2>/dev/null || true; fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
NX_DAEMON=false npx nx run-many -t build --outputStyle=static
node tools/testhosts/dist/cli.js build
node tools/testhosts/dist/cli.js build --release trixie
