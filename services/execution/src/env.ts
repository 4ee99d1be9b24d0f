import { commonEnv, internalEnv, parseEnv, parsePostgresEnv, redisEnv, z } from "@opsc/config";
import { objectStoreEnv } from "@opsc/objectstore/env";
import { vaultKeysFromEnv } from "@opsc/vault";

const schema = z.object({
  ...commonEnv().shape,
  AUTH_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8101"),
  TARGETS_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8103"),
  /** How often the reconciler looks for lost tasks and for data Redis lost. */
  VAULT_KEYS: z.string().min(1, "VAULT_KEYS is required: the same keys as the targets service"),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** Finished runs' log chunks move from PostgreSQL to the object store after this many days (retention/). */
  LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
  /** Finished runs are archived as JSON to the object store and deleted after this many days. */
  RUN_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(365),
});

export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const base = parseEnv(schema, source);
  return {
    ...base,
    database: parsePostgresEnv("execution", source),
    redis: parseEnv(redisEnv(), source),
    internal: parseEnv(internalEnv(), source),
    objectStore: parseEnv(objectStoreEnv(), source),
    vault: vaultKeysFromEnv(base.VAULT_KEYS),
  };
}
