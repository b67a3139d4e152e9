/**
 * Quoting for POSIX sh. Every value that reaches a remote shell goes through `quote` or the `sh` tag:
 * single quotes make everything literal (spaces, `$()`, backticks, newlines, globs); a single quote itself
 * is closed, escaped and reopened. Leading dashes are the caller's business: use `--` before operands.
 */
export function quote(value: string | number): string {
  const s = String(value);
  if (s !== '' && /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(s) && !s.startsWith('-')) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A piece of shell that is already safe and must not be quoted again. */
export class RawShell {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}
export const raw = (text: string): RawShell => new RawShell(text);

type ShellValue = string | number | RawShell | readonly (string | number)[];

/** Template tag: every interpolated value is quoted; arrays become quoted words; `raw()` passes through. */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): string {
  let out = strings[0];
  values.forEach((v, i) => {
    if (v instanceof RawShell) out += v.text;
    else if (Array.isArray(v)) out += v.map((x) => quote(x)).join(' ');
    else out += quote(v as string | number);
    out += strings[i + 1];
  });
  return out;
}

/** A here-document body that survives any content: the content travels base64-encoded. */
export function base64Literal(content: string | Buffer): string {
  return Buffer.from(content).toString('base64');
}
