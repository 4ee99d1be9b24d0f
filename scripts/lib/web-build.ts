import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

// Tests (and their screenshots) are not part of the bundle; a test run must not make the build look stale.
const SKIP = new Set(["node_modules", "build", ".react-router", ".turbo", ".cache", "test"]);

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.isFile()) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Source folders of the workspace packages apps/web depends on, since their code ends up in the bundle. */
function workspaceDependencyDirs(root: string, web: string): string[] {
  const pkg = JSON.parse(readFileSync(join(web, "package.json"), "utf8")) as Record<
    string,
    Record<string, string>
  >;
  const wanted = new Set(
    Object.entries({ ...pkg.dependencies })
      .filter(([, version]) => version.startsWith("workspace:"))
      .map(([name]) => name),
  );
  const dirs: string[] = [];
  for (const group of ["packages", "services"]) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const manifest = join(base, name, "package.json");
      if (!existsSync(manifest)) continue;
      const { name: pkgName } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string };
      if (pkgName && wanted.has(pkgName)) dirs.push(join(base, name, "src"));
    }
  }
  return dirs;
}

/**
 * Whether apps/web needs `bun run --filter @opsc/web build`: "missing" without build/server/index.js,
 * "stale" when a file in apps/web (or in a workspace package it depends on) is newer than that build.
 */
export function webBuildState(root: string): "missing" | "stale" | "fresh" {
  const web = join(root, "apps", "web");
  const built = join(web, "build", "server", "index.js");
  if (!existsSync(built)) return "missing";
  const builtAt = statSync(built).mtimeMs;
  const sources = [web, ...workspaceDependencyDirs(root, web)];
  return sources.some((dir) => newestMtime(dir) > builtAt) ? "stale" : "fresh";
}
