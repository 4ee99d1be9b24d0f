import { commonEnv, internalEnv, parseEnv, redisEnv, z } from "@opsc/config";

const schema = z.object({
  ...commonEnv().shape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8113),
  JOBS_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8106"),
  /** How often the leader asks the jobs service for due slots. */
  SCHEDULER_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Leader lease length: a dead leader is replaced within this time. */
  SCHEDULER_LEASE_MS: z.coerce.number().int().min(300).max(300_000).default(10_000),
  /** Due slots fetched per tick at most; the next tick takes the rest at once. */
  SCHEDULER_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
});

/** The scheduler worker's configuration, parsed once at boot; a bad value stops the process naming the variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const base = parseEnv(schema, source);
  return {
    logLevel: base.LOG_LEVEL,
    host: base.HOST,
    port: base.PORT,
    redis: parseEnv(redisEnv(), source),
    internal: parseEnv(internalEnv(), source),
    jobsUrl: base.JOBS_INTERNAL_URL,
    tickMs: base.SCHEDULER_TICK_MS,
    leaseTtlMs: base.SCHEDULER_LEASE_MS,
    batchSize: base.SCHEDULER_BATCH_SIZE,
  };
}

export type SchedulerEnv = ReturnType<typeof loadEnv>;
