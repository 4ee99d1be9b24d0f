import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSecrets, parseEnvFile } from "./secrets.ts";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "opsc-secrets-test-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test("generates the secrets once, stores them with mode 600 and returns the same ones afterwards", () => {
  const dir = join(tempDir(), "nested");
  const first = loadSecrets(dir);
  expect(first.created).toBe(true);
  expect(first.values.BETTER_AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
  expect(first.values.INTERNAL_TOKEN.length).toBeGreaterThanOrEqual(32);
  expect(first.values.BETTER_AUTH_SECRET).not.toBe(first.values.INTERNAL_TOKEN);
  const file = join(dir, "secrets.env");
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(dir).mode & 0o777).toBe(0o700);

  const second = loadSecrets(dir);
  expect(second.created).toBe(false);
  expect(second.values).toEqual(first.values);
  expect(parseEnvFile(readFileSync(file, "utf8"))).toEqual(first.values);
});

test("adds a missing secret without touching the existing one and repairs the file mode", () => {
  const dir = tempDir();
  const file = join(dir, "secrets.env");
  writeFileSync(file, "# kept\nBETTER_AUTH_SECRET=existing-secret-value-that-is-long-enough\n", {
    mode: 0o644,
  });
  const { values, created } = loadSecrets(dir);
  expect(created).toBe(true);
  expect(values.BETTER_AUTH_SECRET).toBe("existing-secret-value-that-is-long-enough");
  expect(values.INTERNAL_TOKEN.length).toBeGreaterThanOrEqual(32);
  expect(statSync(file).mode & 0o777).toBe(0o600);
});

test("parseEnvFile ignores comments and blank lines and keeps '=' inside values", () => {
  expect(parseEnvFile("# c\n\nA=1\n B = x=y \nbad line\n")).toEqual({ A: "1", B: "x=y" });
});
