import { describe, expect, test } from "bun:test";
import { shellQuote } from "./shell-quote.ts";

/** What /bin/sh sees as the single argument after parsing `printf %s <quoted>`. */
function roundTrip(value: string): string {
  const proc = Bun.spawnSync(["/bin/sh", "-c", `printf '%s' ${shellQuote(value)}`]);
  return proc.stdout.toString();
}

describe("shellQuote", () => {
  test("wraps in single quotes and escapes embedded quotes", () => {
    expect(shellQuote("abc")).toBe("'abc'");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  test("every value survives a real POSIX shell as exactly one word", () => {
    const nasty = [
      "",
      "plain",
      "two words",
      "it's",
      "''",
      `"double" $HOME \`id\` $(id) \${x} \\n \\`,
      "; rm -rf / #",
      "a\nb\tc",
      "*?[a-z]~",
      "ümlaut ✓",
      "-n",
    ];
    for (const value of nasty) expect(roundTrip(value)).toBe(value);
  });

  test("refuses NUL, which no shell argument can carry", () => {
    expect(() => shellQuote("a\0b")).toThrow("NUL");
  });
});
