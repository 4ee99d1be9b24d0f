// Runs a command-line tool of a service against the database `bun run start` uses (DATABASE_URL, else
// 127.0.0.1:5432, else the private instance under the data folder) with the all-in-one secrets from
// <data>/secrets.env where the environment does not set them, so the command needs no connection string or key
// on its command line and prints neither. `bun scripts/with-database.ts <entry.ts> [args]`.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { warn } from "./lib/log.ts";
import { dataDir, ROOT } from "./lib/paths.ts";
import { type PostgresHandle, resolvePostgres } from "./lib/postgres.ts";
import { parseEnvFile } from "./lib/secrets.ts";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: bun scripts/with-database.ts <entry.ts> [args]");
  process.exit(2);
}

/** `vault:rotate --new-key`: puts a fresh key first in the all-in-one VAULT_KEYS before re-sealing. */
function addVaultKey(secretsFile: string, secrets: Record<string, string>): string[] {
  const current = secrets.VAULT_KEYS ?? "";
  const ids = current.split(",").map((entry) => entry.split(":")[0] ?? "");
  let next = ids.length + 1;
  while (ids.includes(`k${next}`)) next++;
  const key = `k${next}:${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")}`;
  secrets.VAULT_KEYS = current ? `${key},${current}` : key;
  const body = readFileSync(secretsFile, "utf8").replace(
    /^VAULT_KEYS=.*$/m,
    `VAULT_KEYS=${secrets.VAULT_KEYS}`,
  );
  writeFileSync(secretsFile, body, { mode: 0o600 });
  console.log(`added vault key k${next} to ${secretsFile}; restart \`bun run start\` after this command`);
  return args.filter((arg) => arg !== "--new-key");
}

let postgres: PostgresHandle | undefined;
let code = 1;
try {
  const secretsFile = join(dataDir(), "secrets.env");
  const secrets = existsSync(secretsFile) ? parseEnvFile(readFileSync(secretsFile, "utf8")) : {};
  const passArgs =
    args.includes("--new-key") && existsSync(secretsFile) ? addVaultKey(secretsFile, secrets) : args;
  postgres = await resolvePostgres(dataDir());
  const child = Bun.spawn([process.execPath, join(ROOT, entry), ...passArgs], {
    env: {
      ...secrets,
      ...process.env,
      DATABASE_URL: postgres.url,
      ...(args.includes("--new-key") ? { VAULT_KEYS: secrets.VAULT_KEYS } : {}),
    },
    stdio: ["inherit", "inherit", "inherit"],
  });
  code = await child.exited;
} catch (error) {
  warn(`${entry} failed: ${(error as Error).message}`);
} finally {
  await postgres?.stop();
}
process.exit(code);
