/** The .env format teams already use: KEY=value, `export KEY=value`, comments, single/double quotes. */
import { errors } from './errors.js';

const keyPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseDotenv(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (!m) throw errors.vault(`expected KEY=value`, { file, line: i + 1 });
    const [, key] = m;
    let rest = m[2];
    if (!keyPattern.test(key)) throw errors.vault(`"${key}" is not a valid variable name (letters, digits, _)`, { file, line: i + 1, key });
    // a double-quoted value may span lines (as systemd's EnvironmentFile and sh read it)
    const first = i;
    while (rest.startsWith('"') && !closedQuote(rest)) {
      if (++i >= lines.length) throw errors.vault(`the double-quoted value of ${key} is never closed`, { file, line: first + 1, key });
      rest += '\n' + lines[i];
    }
    out[key] = unquote(rest.trimEnd());
  }
  return out;
}

/** Whether a value that starts with `"` has its closing quote (not escaped by a backslash). */
const closedQuote = (value: string): boolean => /^"(?:[^"\\]|\\[\s\S])*"/.test(value);

function unquote(value: string): string {
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
    // one pass: \\ \" \$ \` stand for themselves, \n for a newline (a team's way of writing one in a
    // secrets file); any other backslash stays, as in systemd's EnvironmentFile and sh
    return value.slice(1, -1).replace(/\\([\\n"$`])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) return value.slice(1, -1);
  return value.replace(/\s+#.*$/, ''); // an unquoted value ends at a comment
}

/**
 * Renders values so that parseDotenv, systemd's EnvironmentFile and `sh` (`set -a; . .env`) all read
 * them back unchanged: a value with a newline keeps it, inside double quotes, so gunicorn under systemd
 * gets the same value as a deploy's commands.
 */
export function renderDotenv(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${/^[A-Za-z0-9_.,:/@%+=-]*$/.test(v) ? v : `"${v.replace(/[\\"$`]/g, '\\$&')}"`}`)
    .join('\n') + '\n';
}
