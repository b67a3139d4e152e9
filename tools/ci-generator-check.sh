#!/usr/bin/env bash
# CI: the plugin generator cannot rot. `nx g @runbook/tools:plugin` makes a throwaway plugin in
# plugins/gencheck, nx builds it, and ava runs its tests as generated (table tests and the integration
# test on a real test host, set itgencheck-<checkout hash>); the package is removed again whatever happens (also one a
# killed run left behind). ava's counts go to stdout, which tools/test-summary.mjs adds to its totals.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false FORCE_COLOR=0 NO_COLOR=1
name=gencheck
dir=plugins/$name
cleanup() { rm -rf "$dir"; }
cleanup
trap cleanup EXIT
start=$(date +%s)
npx nx run @runbook/tools:build --outputStyle=static >/dev/null
npx nx g @runbook/tools:plugin "$name" --description 'Throwaway plugin of the generator check' --no-interactive
npx nx run "@runbook/$name:build" --outputStyle=static
(cd "$dir" && npx ava)
echo "generator check: nx g to passing tests in $(( $(date +%s) - start ))s" >&2
