/** The flags of create-runbook: one per answer, plus --yes, --force, --no-install. */
import { parseArgs } from 'node:util';
import { UsageError } from './answers.js';

export interface Flags {
  dir?: string;
  name?: string;
  framework?: string;
  wsgi?: string;
  asgi?: string;
  envs?: string;
  /** `prod=web-1,web-2`, one per env (or a bare list when there is one env) */
  hosts: string[];
  sshConfig?: string;
  git?: string;
  ref?: string;
  yes: boolean;
  force: boolean;
  install: boolean;
  help: boolean;
}

export const USAGE = `npm create runbook@latest [-- flags]     (or: npx create-runbook [flags])
Writes runbook.config.ts, inventories/<env>.yml, secrets/<env>.env, a Makefile and package.json for the
Django or Flask app in this directory, then runs npm install. Asks on a terminal; every answer has a flag:
  --name NAME               the app's name (user, /srv/NAME, unit names)       default: the project's
  --framework django|flask  when nothing is detected
  --wsgi MODULE:CALLABLE    the WSGI app (shop.wsgi:application)              default: detected
  --asgi MODULE:CALLABLE    an ASGI app instead (gunicorn with uvicorn workers)
  --envs prod,stg           the environments                                  default: prod
  --hosts ENV=A,B           aliases of the ssh config per env (repeat per env) default: aliases naming the env
  --ssh-config FILE         where the hosts' settings are                     default: ~/.ssh/config
  --git URL [--ref main]    hosts clone this repository (default: upload the committed HEAD of this checkout)
  --dir DIR                 the project directory                             default: .
  -y, --yes                 take the defaults without asking (CI)
  --force                   replace files that exist (default: keep them and say so)
  --no-install              do not run npm install
Without a terminal (CI) nothing is asked: a missing answer is an error naming its flag.`;

export function parseFlags(argv: string[]): Flags {
  try {
    const { values: v } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        dir: { type: 'string' }, name: { type: 'string' }, framework: { type: 'string' }, wsgi: { type: 'string' },
        asgi: { type: 'string' }, envs: { type: 'string' }, hosts: { type: 'string', multiple: true },
        'ssh-config': { type: 'string' }, git: { type: 'string' }, ref: { type: 'string' },
        yes: { type: 'boolean', short: 'y' }, force: { type: 'boolean' }, 'no-install': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
    return {
      dir: v.dir, name: v.name, framework: v.framework, wsgi: v.wsgi, asgi: v.asgi, envs: v.envs, hosts: v.hosts ?? [],
      sshConfig: v['ssh-config'], git: v.git, ref: v.ref, yes: !!v.yes, force: !!v.force, install: !v['no-install'], help: !!v.help,
    };
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${USAGE}`);
  }
}

/** `--hosts prod=web-1,web-2 --hosts stg=stg-1` → { prod: 'web-1,web-2', stg: 'stg-1' }; a bare list belongs to `only`. */
export function hostsByEnv(values: string[], only: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq > 0) out[v.slice(0, eq)] = v.slice(eq + 1);
    else if (only) out[only] = v;
    else throw new UsageError(`--hosts ${JSON.stringify(v)}: expected ENV=ALIAS,ALIAS (several envs are chosen)`);
  }
  return out;
}
