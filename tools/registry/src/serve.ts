// The registry's own process: verdaccio with the config file given as argv[2], on a free loopback port,
// which it prints as `listening <port>` once it accepts connections. A process of its own (not inside the
// test's) so that a test may block its event loop (execFileSync of npm) without starving the registry.
import { runServer } from 'verdaccio';
import type { AddressInfo } from 'node:net';

const configPath = process.argv[2];
if (!configPath) throw new Error('usage: serve <verdaccio config file>');
const server = await runServer(configPath);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
// nothing to flush (verdaccio has written each publish before answering it); keep-alive sockets of npm
// clients would hold server.close() open
process.on('SIGTERM', () => process.exit(0));
