#!/usr/bin/env bash
# The README's first command: install what is missing, boot 3 disposable local hosts, provision them and
# ship apps/demo-django to them, then show the page through nginx and the basic-auth wall.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
node tools/testhosts/dist/cli.js up --count 3
run() { node apps/cli/dist/bin.js "$@"; }
run configure --env local
echo "--- configure again: nothing to change ---"
run configure --env local
run deploy --env local
addr=$(awk '/HostName/{print $2; exit}' inventories/local.ssh_config)
user=$(awk -F= '/^AUTH_WALL_USERNAME=/{print $2}' secrets/local.env)
pass=$(awk -F= '/^AUTH_WALL_PASSWORD=/{print $2}' secrets/local.env)
echo "--- http://$addr/ through nginx (wall user $user) ---"
curl -fsS -u "$user:$pass" "http://$addr/" | grep -E 'Hello|Release'
echo "Next: npx --no-install run deploy --env local · npx --no-install run rollback --env local · npm run hosts:down"
