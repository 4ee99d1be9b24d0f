/**
 * Quotes one argument for a POSIX shell: wraps it in single quotes, inside which nothing is special, and
 * writes each embedded `'` as `'\''`. The result is always exactly one word, so untrusted values can be
 * placed in a remote command line. Throws on NUL, which no argument can contain.
 */
export function shellQuote(arg: string): string {
  if (arg.includes("\0")) throw new Error("shell arguments cannot contain NUL bytes");
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}
