#!/bin/sh
# The manual flow of tools/bench/deploy: a plain ssh script, one ssh command per step over one
# ControlMaster connection per host, hosts in parallel. The seeds' `git pull && systemctl restart`,
# but into a new release directory, so it is the same work as the other tools' release-style deploys.
#   deploy.sh SSH_CONFIG REPO_URL HOST...   (logs in as root; app commands run as the app user)
set -eu
cfg=$1 repo=$2
shift 2
rel=$(date -u +%Y%m%d%H%M%S)
root=/srv/demo r=/srv/demo/releases/$rel
ctl=$(mktemp -d)
trap 'for h in "$@"; do ssh -o ControlPath="$ctl/$h" -O exit x 2>/dev/null || true; done; rm -rf "$ctl"' EXIT
# a command as the app user, with the app's .env and this release's STATIC_ROOT
app="runuser -u demo -- sh -c 'set -a; . $root/shared/.env; set +a; export STATIC_ROOT=$r/staticfiles; cd $r && exec \"\$@\"' app"

deploy() {
  h=$1
  s() { ssh -F "$cfg" -o BatchMode=yes -o ControlMaster=auto -o ControlPath="$ctl/$h" -o ControlPersist=60 "root@$h" "$1"; }
  # code: a mirror of the repository on the host, updated, then its main exported into the release
  s "if [ -d $root/repo ]; then git -C $root/repo remote update --prune >/dev/null; else git clone -q --mirror $repo $root/repo; fi"
  s "mkdir -p $r && git -C $root/repo archive main | tar -x -f - -C $r && git -C $root/repo rev-parse main > $r/REVISION && chown -R demo:demo $r"
  s "ln -s $root/shared/.env $r/.env && ln -s $root/shared/media $r/media"
  # dependencies: one venv per requirements content (shared by releases), linked into the release
  s "v=$root/shared/venvs/\$(sha256sum < $r/requirements.txt | cut -c1-16); if [ ! -f \$v/.complete ]; then rm -rf \$v; if grep -qv '^\s*\(#\|\$\)' $r/requirements.txt; then runuser -u demo -- python3 -m venv --system-site-packages \$v && runuser -u demo -- \$v/bin/pip install -q -r $r/requirements.txt; else runuser -u demo -- python3 -m venv --system-site-packages --without-pip \$v; fi && touch \$v/.complete; fi; ln -s \$v $r/.venv"
  s "$app .venv/bin/python manage.py collectstatic --noinput -v0"
  s "$app .venv/bin/python manage.py migrate --noinput -v0"
  s "ln -sfn $r $root/current.new && mv -T $root/current.new $root/current"
  s "systemctl restart gunicorn.service"
  s "curl -fsS -o /dev/null --max-time 5 --retry 10 --retry-delay 1 --retry-all-errors http://127.0.0.1/health/"
  s "cd $root/releases && ls -1 | head -n -5 | xargs -r rm -rf --"
}

pids=''
for h in "$@"; do deploy "$h" & pids="$pids $!"; done
rc=0
for p in $pids; do wait "$p" || rc=1; done
exit $rc
