import { commonEnv, internalEnv, parseEnv, parsePostgresEnv, redisEnv, z } from "@opsc/config";
import { SCHEDULE_LIMITS } from "@opsc/contracts/jobs/schedules";
import { vaultKeysFromEnv } from "@opsc/vault";

const schema = z.object({
  ...commonEnv().shape,
  AUTH_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8101"),
  /** Choices from targets (`execution.resolve`). */
  TARGETS_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8103"),
  /** Job runs start there (`runs.startPlan`). */
  EXECUTION_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8105"),
  /** Seals webhook secrets and stored secret parameter values: its own keys, or the targets service's. */
  VAULT_KEYS: z.string().min(1, "VAULT_KEYS is required: id:base64(32 random bytes), newest first"),
  /**
   * Slots of one schedule at least this many seconds apart. For tests only (a schedule every few seconds): never
   * lower it in production, where a typo like `* * * * * *` would start a run every second.
   */
  JOBS_SCHEDULE_MIN_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(SCHEDULE_LIMITS.maxIntervalSeconds)
    .default(SCHEDULE_LIMITS.minIntervalSeconds),
});

export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const base = parseEnv(schema, source);
  return {
    ...base,
    vault: vaultKeysFromEnv(base.VAULT_KEYS),
    database: parsePostgresEnv("jobs", source),
    redis: parseEnv(redisEnv(), source),
    internal: parseEnv(internalEnv(), source),
  };
}
