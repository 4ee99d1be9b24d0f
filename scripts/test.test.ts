// Runs scripts/test.ts against small fixture test files to check the summary line and the exit code.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const fixtures = mkdtempSync(join(tmpdir(), "opsc-test-runner-"));
afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

function fixture(name: string, files: Record<string, string>): string {
  const dir = join(fixtures, name);
  mkdirSync(dir);
  for (const [file, body] of Object.entries(files)) writeFileSync(join(dir, file), body);
  return dir;
}

async function runTests(...args: string[]) {
  const proc = Bun.spawn({
    cmd: [process.execPath, join(import.meta.dir, "test.ts"), ...args],
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const [stdout, stderr] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  return { code: await proc.exited, lastLine: stdout.trimEnd().split("\n").at(-1), output: stdout + stderr };
}

const HEADER = 'import { expect, test } from "bun:test";\n';

test("all green: prints the summary with skipped tests and exits 0", async () => {
  const dir = fixture("green", {
    "a.test.ts": `${HEADER}test("one", () => expect(1).toBe(1));\ntest("two", () => {});\ntest.skip("later", () => {});\ntest.todo("someday");`,
  });
  const { code, lastLine, output } = await runTests(dir);
  expect(output).toContain("(pass) one"); // bun test's own output is streamed through
  expect(lastLine).toBe("2 passed, 0 failed");
  expect(output).toContain("2 skipped\n2 passed, 0 failed");
  expect(code).toBe(0);
});

test("failures, including a file that does not load, are counted and exit non-zero", async () => {
  const dir = fixture("red", {
    "ok.test.ts": `${HEADER}test("fine", () => expect(1).toBe(1));`,
    "bad.test.ts": `${HEADER}test("wrong", () => expect(1).toBe(2));`,
    "broken.test.ts": `${HEADER}import { nothing } from "./missing.ts";\ntest("never", () => expect(nothing).toBe(1));`,
  });
  const { code, lastLine } = await runTests(dir);
  expect(lastLine).toBe("1 passed, 2 failed");
  expect(code).toBe(1);
});

test("a filter that matches nothing is a failure with a 0/0 summary", async () => {
  const { code, lastLine } = await runTests(join(fixtures, "does-not-exist"));
  expect(lastLine).toBe("0 passed, 0 failed");
  expect(code).toBe(1);
});
