"""
The Fabric 2 side of tools/bench/deploy: the release-style deploy of apps/demo-django, one step at a
time on every host at once (a ThreadingGroup: a Connection per host, one thread each), as root; the
app's commands run as the app user. Run by the bench with Debian's python3-fabric:

    BENCH_HOSTS=10.77.0.11,10.77.0.12 BENCH_KEY=… BENCH_KNOWN_HOSTS=… BENCH_REPO=git://… python3 fabfile.py
"""
import os
import sys
import time

from fabric import ThreadingGroup
from fabric.exceptions import GroupException

ROOT = '/srv/demo'
REL = f'{ROOT}/releases/' + time.strftime('%Y%m%d%H%M%S', time.gmtime())


def app(cmd):
    """A command as the app user, in the release, with the app's .env and this release's STATIC_ROOT."""
    return (f"runuser -u demo -- sh -c 'set -a; . {ROOT}/shared/.env; set +a; "
            f"export STATIC_ROOT={REL}/staticfiles; cd {REL} && exec {cmd}'")


def steps(repo):
    r = REL
    return [
        # code: a mirror of the repository on the host, updated, then its main exported into the release
        f'if [ -d {ROOT}/repo ]; then git -C {ROOT}/repo remote update --prune >/dev/null; else git clone -q --mirror {repo} {ROOT}/repo; fi',
        f'mkdir -p {r} && git -C {ROOT}/repo archive main | tar -x -f - -C {r} && git -C {ROOT}/repo rev-parse main > {r}/REVISION && chown -R demo:demo {r}',
        f'ln -s {ROOT}/shared/.env {r}/.env && ln -s {ROOT}/shared/media {r}/media',
        # dependencies: one venv per requirements content (shared by releases), linked into the release
        f'v={ROOT}/shared/venvs/$(sha256sum < {r}/requirements.txt | cut -c1-16); if [ ! -f $v/.complete ]; then rm -rf $v; '
        f"if grep -qv '^\\s*\\(#\\|$\\)' {r}/requirements.txt; then runuser -u demo -- python3 -m venv --system-site-packages $v "
        f'&& runuser -u demo -- $v/bin/pip install -q -r {r}/requirements.txt; '
        f'else runuser -u demo -- python3 -m venv --system-site-packages --without-pip $v; fi && touch $v/.complete; fi; ln -s $v {r}/.venv',
        app('.venv/bin/python manage.py collectstatic --noinput -v0'),
        app('.venv/bin/python manage.py migrate --noinput -v0'),
        f'ln -sfn {r} {ROOT}/current.new && mv -T {ROOT}/current.new {ROOT}/current',
        'systemctl restart gunicorn.service',
        'curl -fsS -o /dev/null --max-time 5 --retry 10 --retry-delay 1 --retry-all-errors http://127.0.0.1/health/',
        f'cd {ROOT}/releases && ls -1 | head -n -5 | xargs -r rm -rf --',
    ]


def deploy(group, repo):
    for cmd in steps(repo):
        group.run(cmd, hide=True)


if __name__ == '__main__':
    hosts = os.environ['BENCH_HOSTS'].split(',')
    group = ThreadingGroup(*hosts, user='root', connect_kwargs={'key_filename': os.environ['BENCH_KEY'], 'look_for_keys': False, 'allow_agent': False})
    for c in group:
        c.client.load_host_keys(os.environ['BENCH_KNOWN_HOSTS'])  # the set's host keys: a changed one fails
    try:
        deploy(group, os.environ['BENCH_REPO'])
    except GroupException as e:
        for c, r in e.result.items():
            if isinstance(r, Exception):
                print(f'{c.host}: {r}', file=sys.stderr)
        sys.exit(1)
