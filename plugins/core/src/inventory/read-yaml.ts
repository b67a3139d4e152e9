import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { formatKey, invalid, type Where } from './where.js';

type Path = readonly (string | number)[];

/** A parsed YAML file plus a way to point at any key in it. */
export interface YamlSource {
  data: unknown;
  /** where a key is written: the deepest part of the path that exists in the file gives the line */
  at(path: Path): Where;
}

/** Parses YAML, turning syntax errors and duplicated keys into inventory errors with their line. */
export function readYaml(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  // uniqueKeys off: we report duplicates ourselves, naming the key path and the first occurrence
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, merge: true, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    throw invalid({ file, line: lines.linePos(error.pos[0]).line, key: '' }, `YAML syntax error: ${error.message.split('\n')[0]}`);
  }
  const lineOf = (node: Node | undefined): number | undefined =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;
  const at = (path: Path): Where => ({ file, line: locate(doc, path, lineOf), key: formatKey(path) });
  findDuplicates(doc.contents, [], lineOf, at);
  return { data: doc.toJS({ maxAliasCount: 1000 }) as unknown, at };
}

function locate(doc: Document, path: Path, lineOf: (n: Node | undefined) => number | undefined): number | undefined {
  let node = doc.contents as Node | null;
  let line = lineOf(node ?? undefined) ?? 1;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      line = lineOf(pair.key as Node) ?? line;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof part === 'number' && node.items[part]) {
      node = node.items[part] as Node;
      line = lineOf(node) ?? line;
    } else break;
  }
  return line;
}

function findDuplicates(node: unknown, path: (string | number)[], lineOf: (n: Node | undefined) => number | undefined, at: (p: Path) => Where): void {
  if (isSeq(node)) node.items.forEach((item, i) => findDuplicates(item, [...path, i], lineOf, at));
  if (!isMap(node)) return;
  const first = new Map<string, number | undefined>();
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined || key === '<<') continue;
    if (first.has(key)) {
      const what = path.length === 1 && path[0] === 'hosts' ? 'alias' : 'key';
      const where = { ...at([...path, key]), line: lineOf(pair.key as Node) };
      throw invalid(where, `duplicated ${what} "${key}" (first at line ${first.get(key)})`);
    }
    first.set(key, lineOf(pair.key as Node));
    findDuplicates(pair.value, [...path, key], lineOf, at);
  }
}
