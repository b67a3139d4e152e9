/** The plugin generator on Nx's in-memory tree: files, names, refusals. (CI also builds and tests a generated plugin: tools/ci-generator-check.sh.) */
import test from 'ava';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing.js';
import { pluginGenerator, testSetName } from './generator.js';

const generate = (name: string, extra: Record<string, string> = {}) => {
  const tree = createTreeWithEmptyWorkspace();
  pluginGenerator(tree, { name, ...extra });
  return tree;
};

test('creates the package: manifest, tsconfigs, factory, options, example task, table test, integration test, README', (t) => {
  const tree = generate('my-thing');
  const files = tree.listChanges().map((c) => c.path).filter((p) => p.startsWith('plugins/')).sort();
  t.deepEqual(files, [
    'plugins/my-thing/LICENSE',
    'plugins/my-thing/README.md',
    'plugins/my-thing/package.json',
    'plugins/my-thing/src/greeting-task.ts',
    'plugins/my-thing/src/index.ts',
    'plugins/my-thing/src/my-thing.test.ts',
    'plugins/my-thing/src/my-thing.ts',
    'plugins/my-thing/src/options.ts',
    'plugins/my-thing/test/my-thing.it.test.ts',
    'plugins/my-thing/tsconfig.json',
    'plugins/my-thing/tsconfig.lib.json',
  ]);
  for (const f of files) t.false(tree.read(f, 'utf-8')!.includes('<%'), `template tag left in ${f}`);
});

test('names: package @runbook/<name>, factory in camelCase, options type in PascalCase, task <name>.greeting', (t) => {
  const tree = generate('my-thing', { description: 'Runs "things" */\nhere' });
  const pkg = JSON.parse(tree.read('plugins/my-thing/package.json', 'utf-8')!);
  t.is(pkg.name, '@runbook/my-thing');
  t.is(pkg.description, "Runs 'things' */ here".replace('*/', '* /'));
  t.is(pkg.scripts.test, 'ava');
  // one @runbook/core per project: a peer (and a dev dependency, which the workspace links)
  t.deepEqual(pkg.peerDependencies, { '@runbook/core': '0.1.0' });
  t.deepEqual(pkg.devDependencies, { '@runbook/core': '0.1.0', '@runbook/testing': '0.1.0' });
  t.regex(tree.read('plugins/my-thing/src/my-thing.ts', 'utf-8')!, /export function myThing\(options: MyThingOptions = \{\}\): Plugin/);
  t.regex(tree.read('plugins/my-thing/src/greeting-task.ts', 'utf-8')!, /name: 'my-thing\.greeting'/);
  t.regex(tree.read('plugins/my-thing/test/my-thing.it.test.ts', 'utf-8')!, /boot\(checkoutSet\('itmything'\)\)/);
  t.is(JSON.parse(tree.read('plugins/my-thing/tsconfig.json', 'utf-8')!).extends, '../../tsconfig.base.json');
});

test('the new plugin joins the workspace\'s @runbook version (released together)', (t) => {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('plugins/core/package.json', JSON.stringify({ name: '@runbook/core', version: '0.4.2' }));
  pluginGenerator(tree, { name: 'later' });
  const pkg = JSON.parse(tree.read('plugins/later/package.json', 'utf-8')!);
  t.is(pkg.version, '0.4.2');
  t.deepEqual([pkg.peerDependencies['@runbook/core'], pkg.dependencies['@runbook/system']], ['0.4.2', '0.4.2']);
});

test('another parent directory gets the right tsconfig offset', (t) => {
  const tree = generate('x1', { directory: 'packages/extra' });
  t.is(JSON.parse(tree.read('packages/extra/x1/tsconfig.lib.json', 'utf-8')!).extends, '../../../tsconfig.base.json');
});

test('refuses a bad name and an existing directory', (t) => {
  const tree = createTreeWithEmptyWorkspace();
  t.throws(() => pluginGenerator(tree, { name: 'My_Plugin' }), { message: /lowercase letters, digits and '-'.*"My_Plugin"/ });
  tree.write('plugins/taken/package.json', '{}');
  t.throws(() => pluginGenerator(tree, { name: 'taken' }), { message: /plugins\/taken already exists/ });
});

test('test-host set names: it + letters and digits, ending in a letter', (t) => {
  t.is(testSetName('supervisor'), 'itsupervisor');
  t.is(testSetName('my-thing'), 'itmything');
  t.is(testSetName('redis7'), 'itredis7x');
});
