/** Loading a user's TypeScript: alone through esbuild, with TypeScript of its own through tsx; same result. */
import test from 'ava';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModule } from './load-module.js';

// inside the repo, so that `@runbook/core` resolves from the module's own directory
const here = fileURLToPath(new URL('.', import.meta.url));
const made: string[] = [];
const project = () => {
  made.push(mkdtempSync(join(here, '..', '.load-module-test-')));
  return made.at(-1)!;
};
test.after.always(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('a .ts module importing packages and JavaScript loads, and leaves no copy behind', async (t) => {
  const d = project();
  writeFileSync(join(d, 'helper.js'), 'export const twice = (n) => n * 2;\n');
  writeFileSync(join(d, 'play.ts'), [
    "import { quote } from '@runbook/core';",
    "import { twice } from './helper.js';",
    'type N = number;',
    'const n: N = twice(21);',
    'export default { quoted: quote("a b"), n, dir: import.meta.dirname };',
  ].join('\n'));
  const mod = await loadModule(join(d, 'play.ts'));
  t.deepEqual(mod.default, { quoted: "'a b'", n: 42, dir: d });
  t.deepEqual(readdirSync(d).sort(), ['helper.js', 'play.ts']);
});

test('a .ts module importing TypeScript of its own loads through tsx', async (t) => {
  const d = project();
  writeFileSync(join(d, 'vars.ts'), 'export const port: number = 8000;\n');
  writeFileSync(join(d, 'play.ts'), "import { port } from './vars.js';\nexport default { port };\n");
  const mod = await loadModule(join(d, 'play.ts'));
  t.deepEqual(mod.default, { port: 8000 });
});

test('a syntax error names the file, line and column', async (t) => {
  const d = project();
  writeFileSync(join(d, 'bad.ts'), 'export default {\n  name: "x",,\n};\n');
  const e = await t.throwsAsync(loadModule(join(d, 'bad.ts')));
  t.regex(e!.message, /bad\.ts:2:\d+/);
});

test('a changed module never loads from a stale transpile cache', async (t) => {
  const d = project();
  const file = join(d, 'play.ts');
  writeFileSync(file, 'const n: number = 1;\nexport default n;\n');
  t.is((await loadModule(file)).default, 1);
  writeFileSync(file, 'const n: number = 2;\nexport default n;\n');
  t.is((await loadModule(file)).default, 2);
  writeFileSync(file, 'const n: number = 1;\nexport default n;\n');
  t.is((await loadModule(file)).default, 1, 'the first version again, from the cache');
});
