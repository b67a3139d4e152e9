export { dragonfly } from './dragonfly.js';
export { dragonflyWiring, remoteHost, requirePassword, servingOptions, type DragonflyWiring } from './dragonfly-fleet.js';
export {
  brokerUrl, clientHost, DRAGONFLY, resolveDragonflyOptions, resolvePassword, type DragonflyOptions, type ResolvedDragonflyOptions,
} from './dragonfly-options.js';
export {
  dragonflyBinary, dragonflyEnvFile, dragonflyPackages, dragonflyPing, dragonflyRestart, dragonflyServer, dragonflyService, dragonflyUser, RESTART_HANDLER,
} from './dragonfly-tasks.js';
export { parsePing, ping, pingScript, pingType, type PingOptions, type PingResult } from './ping.js';
export { parseServer, restart, restartCommands, restartType, server, SERVER_FILES, serverScript, serverType, type ServerFact } from './server.js';
export { cliArgs, envQuote, renderEnvFile, renderUnit } from './render-unit.js';
