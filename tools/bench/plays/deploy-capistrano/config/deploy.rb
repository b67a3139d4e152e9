# The release-style deploy of apps/demo-django, in Capistrano's usual shape: git strategy (a mirror in
# repo/, `git archive` into releases/<time>), linked .env and media, then venv, collectstatic, migrate,
# the `current` switch, a restart through systemctl and a health check. As root; the app's commands run
# as the app user. The bench sets BENCH_REPO, BENCH_HOSTS, BENCH_KEY and BENCH_KNOWN_HOSTS.
set :application, 'demo'
set :repo_url, ENV.fetch('BENCH_REPO')
set :branch, 'main'
set :deploy_to, '/srv/demo'
set :keep_releases, 5
append :linked_files, '.env'
append :linked_dirs, 'media'
set :log_level, :info
# speed, from Capistrano's and SSHKit's docs: hosts in parallel (`on` default), pooled connections
# (SSHKit reuses one per host, idle_timeout raised so one deploy never reconnects), no pty
set :pty, false
SSHKit::Backend::Netssh.pool.idle_timeout = 300

app_cmd = lambda do |cmd|
  "runuser -u demo -- sh -c 'set -a; . #{shared_path}/.env; set +a; " \
    "export STATIC_ROOT=#{release_path}/staticfiles; cd #{release_path} && exec #{cmd}'"
end

namespace :app do
  task :own do
    on roles(:app) do
      execute :chown, '-R', 'demo:demo', release_path
    end
  end

  # one venv per requirements content, shared by releases, linked into the release
  task :venv do
    on roles(:app) do
      execute :sh, '-c', <<~SH.shellescape
        r=#{release_path}; v=#{shared_path}/venvs/$(sha256sum < $r/requirements.txt | cut -c1-16)
        if [ ! -f $v/.complete ]; then rm -rf $v
          if grep -qv '^\\s*\\(#\\|$\\)' $r/requirements.txt; then
            runuser -u demo -- python3 -m venv --system-site-packages $v && runuser -u demo -- $v/bin/pip install -q -r $r/requirements.txt
          else runuser -u demo -- python3 -m venv --system-site-packages --without-pip $v; fi && touch $v/.complete
        fi
        ln -s $v $r/.venv
      SH
    end
  end

  task :collectstatic do
    on roles(:app) do
      execute app_cmd.call('.venv/bin/python manage.py collectstatic --noinput -v0')
    end
  end

  task :migrate do
    on roles(:app) do
      execute app_cmd.call('.venv/bin/python manage.py migrate --noinput -v0')
    end
  end

  task :restart do
    on roles(:app) do
      execute :systemctl, 'restart', 'gunicorn.service'
    end
  end

  task :health do
    on roles(:app) do
      execute :curl, '-fsS -o /dev/null --max-time 5 --retry 10 --retry-delay 1 --retry-all-errors http://127.0.0.1/health/'
    end
  end
end

after 'git:create_release', 'app:own'
after 'deploy:updated', 'app:venv'
after 'app:venv', 'app:collectstatic'
after 'app:collectstatic', 'app:migrate'
after 'deploy:published', 'app:restart'
after 'app:restart', 'app:health'
