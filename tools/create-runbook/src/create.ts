/** create-runbook from flags to files: detect, ask, write, npm install, say what comes next. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createAsker, UsageError } from './answers.js';
import { parseFlags, USAGE } from './args.js';
import { detectApp } from './detect.js';
import { askPlan, isGitCheckout } from './questions.js';
import { runbookPackages } from './render-files.js';
import { projectFiles, writeProject } from './write-project.js';

/** create-runbook's own version: the @runbook packages are pinned to it. */
export const ownVersion = (): string => JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export interface CreateIo {
  cwd: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** runs npm in the project (tests replace it) */
  npm?: (args: string[], cwd: string) => number;
}

const runNpm = (args: string[], cwd: string): number =>
  spawnSync('npm', args, { cwd, stdio: 'inherit' }).status ?? 1;

/** Exit code: 0 done, 1 npm install failed, 4 bad flags or answers. */
export async function create(argv: string[], io: CreateIo): Promise<number> {
  const say = (s: string) => io.stdout.write(`${s}\n`);
  let asker;
  try {
    const flags = parseFlags(argv);
    if (flags.help) return say(USAGE), 0;
    const dir = resolve(io.cwd, flags.dir ?? '.');
    mkdirSync(dir, { recursive: true }); // --dir may name a directory to start in
    const detected = detectApp(dir);
    say(detected ? `create-runbook: a ${detected.framework === 'django' ? 'Django' : 'Flask'} app in ${dir} (${detected.wsgi ?? detected.asgi ?? 'no WSGI app found'})` : `create-runbook: no Django or Flask app detected in ${dir}`);
    asker = createAsker({ yes: flags.yes, input: io.stdin, output: io.stdout });
    const version = ownVersion();
    const plan = await askPlan({ cwd: io.cwd, dir, flags, detected, asker, version });
    const files = projectFiles(plan, detected?.extraFiles);
    const report = writeProject(dir, files, flags.force);
    say(report.lines.join('\n'));
    for (const n of plan.notes) say(`  note: ${n}`);
    const installArgs = report.written.includes('package.json')
      ? ['install', '--no-audit', '--no-fund']
      : ['install', '--save-dev', '--save-exact', '--no-audit', '--no-fund', ...Object.entries(runbookPackages(version)).map(([n, v]) => `${n}@${v}`)];
    if (flags.install) {
      say(`running npm ${installArgs.join(' ')}`);
      const code = (io.npm ?? runNpm)(installArgs, dir);
      if (code !== 0) {
        io.stderr.write(`create-runbook: npm install failed (exit ${code}); the files are written: run npm ${installArgs.join(' ')} again\n`);
        return 1;
      }
    } else {
      say(`skipped npm install (--no-install): run npm ${installArgs.join(' ')}`);
    }
    const env = Object.keys(plan.hosts)[0];
    // deploys upload the committed HEAD: the code they need must be committed first
    const upload = 'upload' in plan.source;
    const newCode = Object.keys(detected?.extraFiles ?? {}).filter((f) => report.written.includes(f));
    const commit = upload && !isGitCheckout(dir) ? '  git init && git add -A && git commit -m "first commit"   # deploys upload the committed HEAD\n'
      : upload && newCode.length ? `  git add ${newCode.join(' ')} && git commit -m "${newCode.join(', ')} for gunicorn"   # deploys upload the committed HEAD\n` : '';
    say(`next:\n${commit}  make configure ENV=${env}    # packages, app user, .env, gunicorn, nginx\n  make deploy ENV=${env}       # the app, served through nginx`);
    return 0;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`create-runbook: ${e.message}\n`);
    return 4;
  } finally {
    asker?.close();
  }
}
