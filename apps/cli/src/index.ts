export { parseCliArgs, usage, type CliArgs } from './args.js';
export { runCommand } from './run-command.js';
export { plainReporter } from './reporters/plain.js';
export { jsonReporter } from './reporters/json.js';
