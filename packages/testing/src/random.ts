/** Lower-case hex, so the result is a valid unquoted PostgreSQL identifier and a glob-free Redis prefix. */
export function randomSuffix(bytes = 6): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");
}
