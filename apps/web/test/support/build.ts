import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const WEB_DIR = join(import.meta.dir, "..", "..");
export const BUILD_DIR = join(WEB_DIR, "build");
const SERVER_ENTRY = join(BUILD_DIR, "server", "index.js");

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the app when there is no build yet or app/ changed since, so tests never run against stale output. */
export async function ensureBuild(): Promise<void> {
  if (existsSync(SERVER_ENTRY) && statSync(SERVER_ENTRY).mtimeMs >= newestMtimeMs(join(WEB_DIR, "app")))
    return;
  const proc = Bun.spawn({
    cmd: [process.execPath, "--bun", "react-router", "build"],
    cwd: WEB_DIR,
    env: { ...process.env, NODE_ENV: "production" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`react-router build failed (${code}):\n${stdout}\n${stderr}`);
}
