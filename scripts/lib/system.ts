import { existsSync } from "node:fs";

/** True when this process runs as root (never on Windows, where getuid does not exist). */
export const isRoot = () => process.getuid?.() === 0;

/** Prefix that runs a command as `user` when we are root (PostgreSQL refuses to run as root). */
export function asUser(user: string | undefined, cmd: string[]): string[] {
  if (!user) return cmd;
  if (existsSync("/usr/sbin/runuser") || Bun.which("runuser")) return ["runuser", "-u", user, "--", ...cmd];
  const quoted = cmd.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
  return ["su", user, "-s", "/bin/sh", "-c", quoted];
}

/** Runs a command to completion and returns its exit code and combined output. */
export async function run(
  cmd: string[],
  options: { cwd?: string } = {},
): Promise<{ code: number; output: string }> {
  const proc = Bun.spawn({ cmd, cwd: options.cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  return { code: await proc.exited, output: (stdout + stderr).trim() };
}

/** Package-manager hint for a missing dependency, used in "please install" errors. */
export function installHint(apt: string, brew: string): string {
  return process.platform === "darwin" ? `brew install ${brew}` : `apt-get install ${apt}`;
}
