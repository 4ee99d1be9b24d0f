import { commonEnv, internalEnv, parseEnv, parsePostgresEnv, redisEnv, z } from "@opsc/config";
import { objectStoreEnv } from "@opsc/objectstore/env";

const schema = z.object({
  ...commonEnv().shape,
  AUTH_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8101"),
  TARGETS_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8103"),
  /** How often the reconciler looks for lost tasks and for data Redis lost. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
});

export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const base = parseEnv(schema, source);
  return {
    ...base,
    database: parsePostgresEnv("execution", source),
    redis: parseEnv(redisEnv(), source),
    internal: parseEnv(internalEnv(), source),
    objectStore: parseEnv(objectStoreEnv(), source),
  };
}
