/**
 * `app.venv`: the release's virtualenv, shared by every release with the same dependency inputs.
 * Venvs live in `<root>/.venvs/<key>`, where the key hashes the requirements file's content, the
 * python3 version, pipArgs and systemSitePackages; the release gets `.venv` as a link to its venv.
 * A release whose inputs match an earlier one's reuses that venv (a link, no build); changed inputs
 * always build a new one. `python3 -m venv` and pip bake the venv's absolute path into its scripts, so
 * a venv is built in its final directory and never moved: it counts as built once `.rb-complete` is
 * written, last. A build that fails removes its directory; one that was killed leaves it without the
 * marker: never reused, started again from scratch by the next build of that key, pruned otherwise.
 * A requirements file that points into the code (`-e .`, `./pkg`, `-r other.txt`) makes the key the
 * release's own: its content alone does not say what gets installed.
 */
import { createHash } from 'node:crypto';
import { changes, defineTask, errors, noop, quote, type FactRequest, type TaskType } from '@runbook/core';
import { withNoSpaceReport } from './no-space.js';

export interface ReleaseVenvOptions {
  root: string;
  /** the release directory @example '/srv/shop/releases/r1' */
  rel: string;
  /** relative to the release @example 'requirements.txt' */
  requirements: string;
  pipArgs: string[];
  systemSitePackages: boolean;
}

/** What the host says about the release's dependency inputs and the venvs it has. */
export interface VenvFacts {
  /** false while the release directory is not there (a --check of a new release) */
  release?: boolean;
  /** sha256 of the requirements file; undefined when the release has none */
  requirementsHash?: string;
  /** the file has requirement lines (not only comments): pip is needed */
  hasRequirements: boolean;
  /** a line points into the release's code (-e, -r, -c, ./path, /path, file:) */
  local: boolean;
  /** `python3 -c 'import sys; print(sys.version)'` */
  python: string;
  /** where the release's `.venv` link points, if it is one */
  link?: string;
  /** keys under `<root>/.venvs/` whose build completed */
  complete: string[];
}

export interface VenvPlanState {
  key: string;
  dir: string;
  /** false: reuse the complete venv of that key */
  build: boolean;
  /** the build installs the requirements (else `--without-pip`) */
  pip: boolean;
}

export const venvsDir = (root: string): string => `${root}/.venvs`;

/** The dependency-inputs key: equal keys install the same packages into the same Python. */
export function venvKey(f: Pick<VenvFacts, 'requirementsHash' | 'local' | 'python'>, o: ReleaseVenvOptions): string {
  const inputs = { requirements: f.requirementsHash ?? null, python: f.python, pipArgs: o.pipArgs, systemSitePackages: o.systemSitePackages, ...(f.local ? { release: o.rel } : {}) };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}

const LOCAL_LINE = String.raw`^[[:space:]]*(-e|--editable|-r|--requirement|-c|--constraint|\.|/|file:)`;

export function venvFactCommand(o: ReleaseVenvOptions): string {
  return [
    `r=${quote(o.root)}; rel=${quote(o.rel)}; req=${quote(o.requirements)}`,
    'if [ ! -d "$rel" ]; then echo norelease; exit 0; fi',
    'cd -- "$rel"',
    `if [ -f "$req" ]; then`,
    `  printf 'requirements\\t%s\\n' "$(sha256sum < "$req" | cut -d' ' -f1)"`,
    `  ! grep -qEv '^[[:space:]]*(#|$)' "$req" || echo lines`,
    `  ! grep -qE '${LOCAL_LINE}' "$req" || echo local`,
    'fi',
    `printf 'python\\t%s\\n' "$(python3 -c 'import sys; print(sys.version)' | head -n 1)"`,
    `[ ! -L .venv ] || printf 'link\\t%s\\n' "$(readlink -- .venv)"`,
    `for d in "$r"/.venvs/*/; do if [ -f "$d.rb-complete" ]; then printf 'complete\\t%s\\n' "$(basename -- "$d")"; fi; done`,
    'exit 0',
  ].join('\n');
}

export function parseVenvFacts(stdout: string): VenvFacts {
  const f: VenvFacts = { hasRequirements: false, local: false, python: '', complete: [] };
  for (const line of stdout.split('\n')) {
    const [kind, value = ''] = line.split('\t', 2);
    if (kind === 'norelease') f.release = false;
    else if (kind === 'requirements') f.requirementsHash = value;
    else if (kind === 'lines') f.hasRequirements = true;
    else if (kind === 'local') f.local = true;
    else if (kind === 'python') f.python = value;
    else if (kind === 'link') f.link = value;
    else if (kind === 'complete') f.complete.push(value);
  }
  return f;
}

function venvFact(o: ReleaseVenvOptions): FactRequest<VenvFacts> {
  return {
    command: venvFactCommand(o),
    parse(out) {
      if (out.code !== 0) throw errors.fact(`cannot read the dependency inputs of ${o.rel}: ${out.stderr.trim() || `exit ${out.code}`}`);
      const f = parseVenvFacts(out.stdout);
      if (!f.python && f.release !== false) throw errors.fact(`python3 does not run on the host (needed for ${o.rel}/.venv): ${out.stderr.trim()}`);
      return f;
    },
  };
}

/** The venv command of a build. */
export const venvArgs = (o: ReleaseVenvOptions, dir: string, pip: boolean): string[] =>
  ['python3', '-m', 'venv', ...(o.systemSitePackages ? ['--system-site-packages'] : []), ...(pip ? [] : ['--without-pip']), dir];

export const pipArgs = (o: ReleaseVenvOptions, dir: string): string[] =>
  [`${dir}/bin/pip`, 'install', '--disable-pip-version-check', '-q', '-r', o.requirements, ...o.pipArgs];

/** Pure: reuse the venv of the same inputs, or build one. */
export function planVenv(f: VenvFacts, o: ReleaseVenvOptions) {
  if (f.release === false) return changes<VenvPlanState>([`link .venv to the venv of the release's dependency inputs (built unless one of them exists)`]);
  const key = venvKey(f, o);
  const dir = `${venvsDir(o.root)}/${key}`;
  const built = f.complete.includes(key);
  if (built && f.link === dir) return noop(`.venv is ${dir} (dependencies unchanged)`);
  if (built) return changes<VenvPlanState>([`reuse venv ${dir} (same requirements, python, pip args)`], { state: { key, dir, build: false, pip: false } });
  const pip = f.hasRequirements;
  const list = [`build venv ${dir}: ${venvArgs(o, dir, pip).join(' ')}`, ...(pip ? [`install ${o.requirements}: ${pipArgs(o, dir).join(' ')}`] : [])];
  return changes<VenvPlanState>(list, { state: { key, dir, build: true, pip } });
}

export function venvScript(o: ReleaseVenvOptions, s: VenvPlanState): string {
  const words = (argv: string[]) => argv.map((w) => quote(w)).join(' ');
  const lines = [`cd -- ${quote(o.rel)}`, `v=${quote(s.dir)}`];
  if (s.build) {
    // re-tested: a complete venv of this key is never rebuilt; an incomplete one is started over
    lines.push(
      'if [ ! -f "$v/.rb-complete" ]; then',
      '  rm -rf -- "$v"',
      `  ${words(venvArgs(o, s.dir, s.pip))}`,
      ...(s.pip ? [`  ${words(pipArgs(o, s.dir))}`, '  touch -- "$v/.rb-requirements"'] : []),
      '  touch -- "$v/.rb-complete"',
      'fi',
    );
  } else {
    lines.push('[ -f "$v/.rb-complete" ] || { echo "venv $v is gone or incomplete; deploy again to build it" >&2; exit 1; }');
  }
  // a .venv of the code (or of an older build of this release) makes way; rm of a link removes the link only
  lines.push('if [ -L .venv ] || [ -e .venv ]; then rm -rf -- .venv; fi', 'ln -s -- "$v" .venv');
  return lines.join('\n');
}

export const releaseVenvType: TaskType<ReleaseVenvOptions, { venv: VenvFacts }, VenvPlanState> = {
  name: 'app.venv',
  describe: (o) => `${o.rel}/.venv`,
  facts: (o) => ({ venv: venvFact(o) }),
  // it reads the release's requirements file (only app.release writes it) and the venvs
  touches: (o) => [`path:${o.rel}/.venv`, `tree:${venvsDir(o.root)}`],
  check: ({ venv }, o) => planVenv(venv, o),
  apply(plan, o) {
    const s = plan.state;
    // only a --check plans without the release; a run has made it in the prepare stage
    if (!s) return [{ script: `echo ${quote(`${o.rel} does not exist: no venv to link`)} >&2; exit 1`, display: `${o.rel}/.venv` }];
    const display = s.build ? `${venvArgs(o, s.dir, s.pip).join(' ')}${s.pip ? ` && pip install -r ${o.requirements}` : ''}` : `ln -s ${s.dir} .venv (reused)`;
    // a build that fails leaves no venv behind (after the full-disk report has read df); a kill leaves an
    // incomplete one, which no release reuses and the next build of its key starts over
    const cleanup = s.build ? [`{ rb_rc=$?; [ -f ${quote(`${s.dir}/.rb-complete`)} ] || rm -rf -- ${quote(s.dir)}; exit "$rb_rc"; }`] : [];
    const report = withNoSpaceReport(venvScript(o, s), venvsDir(o.root));
    return [{ script: cleanup.length ? `( ${report}
) || ${cleanup[0]}` : report, display }];
  },
};

/**
 * The release's `.venv`: a link to the venv of its dependency inputs, built only when no release had them.
 * @example releaseVenv({ root: '/srv/shop', rel: '/srv/shop/releases/r1', requirements: 'requirements.txt', pipArgs: [], systemSitePackages: true, becomeUser: 'shop' })
 */
export const releaseVenv = defineTask(releaseVenvType);
