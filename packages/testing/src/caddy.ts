import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getFreePort, waitForPort } from "./net.ts";
import type { StartedProcess } from "./process.ts";
import { startProcess } from "./process.ts";

/** Options for {@link startCaddy}. */
export interface StartCaddyOptions {
  /** Path of a Caddyfile. */
  config: string;
  env?: Record<string, string | undefined>;
  /** Port to wait for; a free one is picked when omitted. It is handed to Caddy in the env var `portEnv`. */
  port?: number;
  /** Env var the Caddyfile reads its listen port from; default `OPSC_PORT`. */
  portEnv?: string;
  /** Scheme and host of the returned URL; default `http` and `127.0.0.1`. */
  scheme?: "http" | "https";
  host?: string;
  timeoutMs?: number;
}

/** A running Caddy started by {@link startCaddy}. */
export interface StartedCaddy {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  port: number;
  /** Caddy's XDG_DATA_HOME (its internal CA lives in `caddy/pki/authorities/local`). */
  dataDir: string;
  process: StartedProcess;
  output(): string;
  /** Stops Caddy and deletes its temporary XDG folders. */
  stop(): Promise<void>;
}

/**
 * Runs `caddy run --config <config> --adapter caddyfile` with XDG folders in a fresh temp dir (Caddy writes
 * an autosave.json and, with `tls internal`, its CA there) and waits until the port accepts connections.
 * The binary is `caddy` from PATH unless `CADDY_BIN` is set.
 */
export async function startCaddy(options: StartCaddyOptions): Promise<StartedCaddy> {
  const bin = process.env.CADDY_BIN || Bun.which("caddy");
  if (!bin)
    throw new Error("caddy is not installed (Debian: apt-get install caddy; macOS: brew install caddy)");
  const port = options.port ?? (await getFreePort());
  const home = mkdtempSync(join(tmpdir(), "opsc-caddy-"));
  const dataDir = join(home, "data");
  const started = await startProcess({
    cmd: [bin, "run", "--config", options.config, "--adapter", "caddyfile"],
    env: {
      ...options.env,
      [options.portEnv ?? "OPSC_PORT"]: String(port),
      XDG_DATA_HOME: dataDir,
      XDG_CONFIG_HOME: join(home, "config"),
    },
  });
  const stop = async () => {
    await started.stop();
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, {
      timeoutMs: options.timeoutMs ?? 15_000,
      abortIf: () => (started.proc.exitCode !== null ? `caddy exited (${started.proc.exitCode})` : undefined),
    });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- caddy output ---\n${started.output().slice(-8_000)}`);
  }
  return {
    url: `${options.scheme ?? "http"}://${options.host ?? "127.0.0.1"}:${port}`,
    port,
    dataDir,
    process: started,
    output: started.output,
    stop,
  };
}
