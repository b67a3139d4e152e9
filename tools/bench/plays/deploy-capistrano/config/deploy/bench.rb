# The bench's hosts (BENCH_HOSTS: addresses), as root with the test hosts' key, host keys checked
ENV.fetch('BENCH_HOSTS').split(',').each { |h| server h, user: 'root', roles: %w[app] }
set :ssh_options, {
  keys: [ENV.fetch('BENCH_KEY')], keys_only: true, config: false,
  user_known_hosts_file: ENV.fetch('BENCH_KNOWN_HOSTS'), verify_host_key: :always,
}
