/**
 * `nx g @runbook/tools:plugin <name>`: a plugin package in plugins/<name> that builds and passes its tests
 * as generated — a typed factory with documented options, an example task (facts / check / apply / a
 * no-change reason), a table test on a fake host, an integration test on a real test host, a README.
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFiles, joinPathFragments, names, type Tree } from '@nx/devkit';

export interface PluginGeneratorSchema {
  name: string;
  description?: string;
  /** @default 'plugins' */
  directory?: string;
}

const NAME = /^[a-z][a-z0-9-]*[a-z0-9]$/;
/** The template files, next to dist/ and src/ in this package. */
const templates = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'files', 'plugin');

/** The test-host set of the generated integration test: `it` + the name's letters and digits, ending in a letter; the test adds a hash of the checkout (`checkoutSet`). */
export function testSetName(name: string): string {
  const set = `it${name.replace(/[^a-z0-9]/g, '')}`.slice(0, 31);
  return /[a-z]$/.test(set) ? set : `${set}x`;
}

/** The workspace's @runbook version (one for all: nx release's fixed group), which the new plugin joins. */
function runbookVersion(tree: Tree): string {
  const core = 'plugins/core/package.json';
  return tree.exists(core) ? (JSON.parse(tree.read(core, 'utf-8')!) as { version: string }).version : '0.1.0';
}

export function pluginGenerator(tree: Tree, schema: PluginGeneratorSchema): () => void {
  const name = schema.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new Error(`plugin name must be lowercase letters, digits and '-', starting with a letter (e.g. supervisor), got ${JSON.stringify(name)}`);
  }
  const root = joinPathFragments(schema.directory ?? 'plugins', name);
  if (tree.exists(root)) throw new Error(`${root} already exists: choose another name or remove it`);
  const n = names(name);
  const depth = root.split('/').filter(Boolean).length;
  generateFiles(tree, templates, root, {
    ...n,
    name: n.fileName,
    // it lands in a JSON string, a doc comment and the README: one line, no quote, backslash or comment end
    description: (schema.description ?? `A Runbook plugin: ${name}`).replace(/\s*[\r\n]+\s*/g, ' ').replace(/\\/g, '/').replace(/"/g, "'").replace(/\*\//g, '* /'),
    set: testSetName(name),
    version: runbookVersion(tree),
    offset: '../'.repeat(depth),
    tmpl: '',
  });
  return () => {
    const at = relative(process.cwd(), join(tree.root, root)) || '.';
    console.log([
      '',
      `Created ${root} (@runbook/${name}). Next:`,
      '  flock /tmp/rb-npm.lock npm install --no-audit --no-fund   # links the new workspace package',
      `  npx nx run @runbook/${name}:build --outputStyle=static`,
      `  cd ${at} && npx ava   # table tests + the test-host integration test`,
      'Then replace the example greeting task with your own; docs/plugins.md walks through it.',
    ].join('\n'));
  };
}

export default pluginGenerator;
