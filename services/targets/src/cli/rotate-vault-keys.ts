/**
 * `bun run vault:rotate`: re-seals every stored credential with the first key of VAULT_KEYS.
 *
 * 1. Put a new key first in VAULT_KEYS (`k2:<base64 of 32 random bytes>,k1:…`) for every process and restart
 *    them: they then seal with k2 and still open k1.  2. Run this command.  3. Remove k1 from VAULT_KEYS.
 * In the all-in-one mode, `bun run vault:rotate --new-key` does step 1 in .opsc/secrets.env (then restart).
 */
import { parseEnv, parsePostgresEnv, z } from "@opsc/config";
import { createDb } from "@opsc/db";
import { parseVaultKeys } from "@opsc/vault";
import { rotateVaultKeys } from "../credentials/rotate.ts";
import { TARGETS_SCHEMA, type TargetsDatabase } from "../database.ts";
import { migrate } from "../migrate.ts";

const env = parseEnv(z.object({ VAULT_KEYS: z.string().min(1, "VAULT_KEYS is required") }), process.env);
const vault = parseVaultKeys(env.VAULT_KEYS);
const database = parsePostgresEnv("targets", {
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/opsconductor",
  ...process.env,
});

await migrate(database.databaseUrl);
const { db } = createDb<TargetsDatabase>({ url: database.databaseUrl, schema: TARGETS_SCHEMA, poolMax: 2 });
try {
  const result = await rotateVaultKeys(db, vault);
  console.log(
    `${result.resealed} of ${result.total} credential(s) re-sealed with key ${result.keyId}. ` +
      `Once every process runs with this VAULT_KEYS, the other keys can be removed from it.`,
  );
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
