/** The .env format teams already use: KEY=value, `export KEY=value`, comments, single/double quotes. */
import { errors } from './errors.js';

const keyPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseDotenv(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (!m) throw errors.vault(`expected KEY=value`, { file, line: i + 1 });
    const [, key, rest] = m;
    if (!keyPattern.test(key)) throw errors.vault(`"${key}" is not a valid variable name (letters, digits, _)`, { file, line: i + 1, key });
    out[key] = unquote(rest);
  });
  return out;
}

function unquote(value: string): string {
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
    // one pass, so `\\n` (a backslash, then n) stays a backslash and an n
    return value.slice(1, -1).replace(/\\([\\n"])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) return value.slice(1, -1);
  return value.replace(/\s+#.*$/, ''); // an unquoted value ends at a comment
}

/** Renders values so that parseDotenv (and systemd's EnvironmentFile) read them back unchanged. */
export function renderDotenv(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${/^[A-Za-z0-9_.,:/@%+=-]*$/.test(v) ? v : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`}`)
    .join('\n') + '\n';
}
