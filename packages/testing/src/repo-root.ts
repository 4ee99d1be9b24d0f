import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

let cached: string | undefined;

/**
 * Absolute path of the monorepo root: the nearest ancestor of this package whose package.json declares
 * `workspaces`. Tests use it to locate services, caddy/ and scripts/ independently of the working directory.
 */
export function repoRoot(): string {
  if (cached) return cached;
  let dir = import.meta.dir;
  while (true) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { workspaces?: unknown };
      if (pkg.workspaces) {
        cached = dir;
        return dir;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json with "workspaces" above ${import.meta.dir}`);
    dir = parent;
  }
}
