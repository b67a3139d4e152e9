/**
 * Splits the arguments of one ssh_config line as OpenSSH's argv_split does: whitespace separates,
 * "double" and 'single' quotes group, a backslash escapes a quote or backslash, and a word that starts
 * with an unquoted `#` begins a comment. Returns undefined for an unterminated quote.
 */
export function splitSshArgs(text: string): string[] | undefined {
  const args: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && (text[i + 1] === quote || text[i + 1] === '\\')) word += text[++i];
      else if (c === quote) quote = undefined;
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) args.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && /["'\\]/.test(text[i + 1] ?? '')) {
      word = (word ?? '') + text[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) return undefined;
  if (word !== undefined) args.push(word);
  return args;
}
