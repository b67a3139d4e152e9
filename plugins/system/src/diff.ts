/**
 * A small unified diff (LCS over lines, 3 lines of context) for `--diff` output of file content. Files
 * the content fact carries are at most 64 KiB, so the quadratic table stays small; past a size limit the
 * diff degrades to one hunk that replaces everything.
 */
const CONTEXT = 3;
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; text: string };

function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === '') return { lines: [], finalNewline: true };
  const finalNewline = text.endsWith('\n');
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n');
  return { lines, finalNewline };
}

function lcsOps(a: string[], b: string[]): Op[] {
  // common prefix and suffix first: most edits touch a few lines of a long file
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const ops: Op[] = a.slice(0, start).map((text) => ({ kind: ' ', text }));
  const n = midA.length;
  const m = midB.length;
  if (n * m > MAX_CELLS) {
    ops.push(...midA.map((text): Op => ({ kind: '-', text })), ...midB.map((text): Op => ({ kind: '+', text })));
  } else {
    const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        table[i][j] = midA[i] === midB[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        ops.push({ kind: ' ', text: midA[i++] });
        j++;
      } else if (i < n && (j >= m || table[i + 1][j] >= table[i][j + 1])) ops.push({ kind: '-', text: midA[i++] });
      else ops.push({ kind: '+', text: midB[j++] });
    }
  }
  ops.push(...a.slice(endA).map((text): Op => ({ kind: ' ', text })));
  return ops;
}

const range = (start: number, count: number): string =>
  count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;

/**
 * Unified diff of two texts, `---`/`+++` headers naming `path` (or /dev/null for a file that does not
 * exist yet: pass `undefined` as `oldText`). Returns '' when the texts are equal.
 */
export function unifiedDiff(path: string, oldText: string | undefined, newText: string | undefined): string {
  if (oldText === newText) return '';
  const a = splitLines(oldText ?? '');
  const b = splitLines(newText ?? '');
  // a line without its final newline differs from the same line with one
  if (!a.finalNewline && a.lines.length) a.lines[a.lines.length - 1] += '\0';
  if (!b.finalNewline && b.lines.length) b.lines[b.lines.length - 1] += '\0';
  const ops = lcsOps(a.lines, b.lines);
  const out = [`--- ${oldText === undefined ? '/dev/null' : path}`, `+++ ${newText === undefined ? '/dev/null' : path}`];
  const changed = ops.map((op, k) => (op.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  let k = 0;
  while (k < changed.length) {
    // grow a hunk while the next change is within 2×context lines of the last one
    let last = k;
    while (last + 1 < changed.length && changed[last + 1] - changed[last] <= 2 * CONTEXT) last++;
    const from = Math.max(0, changed[k] - CONTEXT);
    const to = Math.min(ops.length, changed[last] + CONTEXT + 1);
    let oldStart = 1;
    let newStart = 1;
    for (let x = 0; x < from; x++) {
      if (ops[x].kind !== '+') oldStart++;
      if (ops[x].kind !== '-') newStart++;
    }
    const body = ops.slice(from, to);
    const oldCount = body.filter((op) => op.kind !== '+').length;
    const newCount = body.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    for (const op of body) {
      if (op.text.endsWith('\0')) out.push(op.kind + op.text.slice(0, -1), '\\ No newline at end of file');
      else out.push(op.kind + op.text);
    }
    k = last + 1;
  }
  return out.join('\n') + '\n';
}
