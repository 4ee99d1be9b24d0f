import { commonEnv, internalEnv, parseEnv, parsePostgresEnv, redisEnv, z } from "@opsc/config";
import { objectStoreEnv } from "@opsc/objectstore/env";

const schema = z.object({
  ...commonEnv().shape,
  AUTH_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8101"),
  /** Records stored longer ago than this move to the object store (hourly); unset keeps every record. */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
});

export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const base = parseEnv(schema, source);
  return {
    ...base,
    database: parsePostgresEnv("audit", source),
    redis: parseEnv(redisEnv(), source),
    internal: parseEnv(internalEnv(), source),
    objectStore: parseEnv(objectStoreEnv(), source),
  };
}
