import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { SQL } from "bun";
import { say } from "./log.ts";
import { getFreePort, isPortOpen } from "./net.ts";
import { randomSecret } from "./secrets.ts";
import { DATABASE_NAME } from "./services.ts";
import { asUser, installHint, isRoot, run } from "./system.ts";

/** The PostgreSQL server the services use. */
export interface PostgresHandle {
  /** DATABASE_URL for the services (database `opsconductor` unless DATABASE_URL names another). */
  url: string;
  /** True when the server is a private instance under the data folder. */
  private: boolean;
  /** Stops the server if this process started it; a no-op otherwise. */
  stop(): Promise<void>;
}

const DEFAULT_URL = `postgres://postgres@127.0.0.1:5432/${DATABASE_NAME}`;

function hostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1", port: Number(parsed.port || 5432) };
}

/**
 * Creates the database named in `url` when it does not exist yet, connecting to the maintenance
 * database `postgres` on the same server with the same credentials.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) throw new Error(`DATABASE_URL has no database name: ${target.origin}`);
  const probe = new SQL({ url, max: 1, connectionTimeout: 10 });
  try {
    await probe`SELECT 1`;
    return;
  } catch (error) {
    if ((error as { errno?: string }).errno !== "3D000") throw error; // 3D000: database does not exist
  } finally {
    await probe.close();
  }
  target.pathname = "/postgres";
  const admin = new SQL({ url: target.toString(), max: 1, connectionTimeout: 10 });
  try {
    await admin.unsafe(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    say(`created database ${name}`);
  } catch (error) {
    // Another process may have created it in between.
    if ((error as { errno?: string }).errno !== "42P04") throw error;
  } finally {
    await admin.close();
  }
}

/** Directory with initdb/pg_ctl: PG_BIN, Debian's /usr/lib/postgresql/<ver>/bin (newest, or `preferred`), Homebrew, PATH. */
export function findPostgresBin(preferredVersion?: string): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, "bin", "pg_ctl")))
      .sort((a, b) => Number(b) - Number(a));
    const pick = versions.find((v) => v === preferredVersion) ?? versions[0];
    if (pick) return join(debian, pick, "bin");
  }
  for (const prefix of ["/opt/homebrew/opt", "/usr/local/opt"]) {
    if (!existsSync(prefix)) continue;
    const brew = readdirSync(prefix)
      .filter((name) => /^postgresql(@\d+)?$/.test(name) && existsSync(join(prefix, name, "bin", "pg_ctl")))
      .sort()
      .reverse()[0];
    if (brew) return join(prefix, brew, "bin");
  }
  const pgCtl = Bun.which("pg_ctl");
  return pgCtl ? join(pgCtl, "..") : undefined;
}

/** Port of a running cluster from its postmaster.pid (4th line), when `pg_ctl status` says it runs. */
async function runningPort(
  bin: string,
  dataDirectory: string,
  user: string | undefined,
): Promise<number | undefined> {
  const pidFile = join(dataDirectory, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const status = await run(asUser(user, [join(bin, "pg_ctl"), "status", "-D", dataDirectory]));
  if (status.code !== 0) return undefined;
  const port = Number(readFileSync(pidFile, "utf8").split("\n")[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/**
 * Starts (initialising on first use) a private PostgreSQL cluster in `<dir>/data` listening on
 * 127.0.0.1 only, on a free port. When the cluster is already running (e.g. `bun run start` is up while
 * `bun run db:migrate` runs) it is reused and left running.
 */
export async function startPrivatePostgres(dir: string): Promise<PostgresHandle> {
  const dataDirectory = join(dir, "data");
  const versionFile = join(dataDirectory, "PG_VERSION");
  const existingVersion = existsSync(versionFile) ? readFileSync(versionFile, "utf8").trim() : undefined;
  const bin = findPostgresBin(existingVersion);
  if (!bin) {
    throw new Error(
      `PostgreSQL is not answering on 127.0.0.1:5432 and is not installed. Install it (${installHint("postgresql", "postgresql@15")}), start your own and set DATABASE_URL, or start one on 127.0.0.1:5432.`,
    );
  }
  // initdb and postgres refuse to run as root.
  const user = isRoot() ? "postgres" : undefined;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (user) {
    const { code } = await run(["chown", "-R", `${user}:${user}`, dir]);
    if (code !== 0) throw new Error(`cannot chown ${dir} to ${user} (does the ${user} user exist?)`);
    // The data folder is private (700); postgres needs to pass through it (x only, no listing) to its own folder.
    const parent = dirname(dir);
    chmodSync(parent, statSync(parent).mode | 0o001);
    const access = await run(asUser(user, ["test", "-w", dir]));
    if (access.code !== 0) {
      throw new Error(
        `user ${user} cannot reach ${dir} (a parent folder is not traversable); set OPSC_DATA_DIR to a folder it can reach`,
      );
    }
  }
  // TCP connections need a password, so other local users cannot reach the cluster just because it is on loopback.
  const passwordFile = join(dir, "superuser.password");
  const url = (port: number) => {
    const password = existsSync(passwordFile) ? readFileSync(passwordFile, "utf8").trim() : "";
    return `postgres://postgres${password ? `:${password}` : ""}@127.0.0.1:${port}/${DATABASE_NAME}`;
  };

  const reused = await runningPort(bin, dataDirectory, user);
  if (reused) {
    say(`using the private PostgreSQL that is already running on 127.0.0.1:${reused}`);
    return { url: url(reused), private: true, stop: async () => {} };
  }

  if (!existingVersion) {
    say(`initialising a private PostgreSQL cluster in ${dataDirectory}`);
    writeFileSync(passwordFile, `${randomSecret()}\n`, { mode: 0o600 });
    if (user) chownSync(passwordFile, ...(await postgresIds(user)));
    const init = await run(
      asUser(user, [
        join(bin, "initdb"),
        "-D",
        dataDirectory,
        "-U",
        "postgres",
        `--pwfile=${passwordFile}`,
        "--auth-host=scram-sha-256",
        "--auth-local=peer",
        "-E",
        "UTF8",
        "--no-locale",
      ]),
    );
    if (init.code !== 0) throw new Error(`initdb failed:\n${init.output}`);
  }

  // Unix socket paths are limited to ~107 bytes; fall back to a short temp dir for deep checkouts.
  let socketDir = dir;
  let tempSocketDir: string | undefined;
  if (dir.length > 80) {
    tempSocketDir = mkdtempSync(join(tmpdir(), "opsc-pg-"));
    if (user) chownSync(tempSocketDir, ...(await postgresIds(user)));
    socketDir = tempSocketDir;
  }
  const port = await getFreePort();
  const pgCtl = join(bin, "pg_ctl");
  // pg_ctl hands -o to a shell, hence the quoting.
  const options = `-p ${port} -k '${socketDir.replaceAll("'", `'\\''`)}' -c listen_addresses=127.0.0.1`;
  const start = await run(
    asUser(user, [
      pgCtl,
      "-D",
      dataDirectory,
      "-o",
      options,
      "-l",
      join(dir, "postgres.log"),
      "-w",
      "-t",
      "60",
      "start",
    ]),
  );
  if (start.code !== 0) {
    const log = existsSync(join(dir, "postgres.log"))
      ? readFileSync(join(dir, "postgres.log"), "utf8").slice(-3_000)
      : "";
    throw new Error(`could not start the private PostgreSQL:\n${start.output}\n${log}`);
  }
  say(`started a private PostgreSQL on 127.0.0.1:${port} (data in ${dataDirectory})`);
  return {
    url: url(port),
    private: true,
    async stop() {
      const stop = await run(asUser(user, [pgCtl, "-D", dataDirectory, "-m", "fast", "-w", "stop"]));
      if (stop.code !== 0) console.error(`pg_ctl stop failed: ${stop.output}`);
      if (tempSocketDir) rmSync(tempSocketDir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(user: string): Promise<[number, number]> {
  const [uid, gid] = await Promise.all([run(["id", "-u", user]), run(["id", "-g", user])]);
  return [Number(uid.output), Number(gid.output)];
}

/**
 * Finds the PostgreSQL server to use: DATABASE_URL when set (it must answer), else 127.0.0.1:5432 when it
 * answers, else a private instance under `<dataDir>/postgres`. Then makes sure the database exists.
 */
export async function resolvePostgres(dataDirectory: string): Promise<PostgresHandle> {
  const explicit = process.env.DATABASE_URL;
  if (explicit) {
    try {
      await ensureDatabase(explicit);
    } catch (error) {
      const { host, port } = hostPort(explicit);
      throw new Error(`cannot use DATABASE_URL (${host}:${port}): ${(error as Error).message}`);
    }
    return { url: explicit, private: false, stop: async () => {} };
  }
  const { host, port } = hostPort(DEFAULT_URL);
  const handle: PostgresHandle = (await isPortOpen(port, host))
    ? { url: DEFAULT_URL, private: false, stop: async () => {} }
    : await startPrivatePostgres(join(dataDirectory, "postgres"));
  try {
    await ensureDatabase(handle.url);
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}
