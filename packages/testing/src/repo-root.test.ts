import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repo-root.ts";

test("repoRoot finds the workspace root", async () => {
  const root = repoRoot();
  const pkg = (await Bun.file(join(root, "package.json")).json()) as { workspaces?: string[] };
  expect(pkg.workspaces).toContain("packages/*");
  expect(existsSync(join(root, "packages", "testing", "src", "index.ts"))).toBe(true);
});
