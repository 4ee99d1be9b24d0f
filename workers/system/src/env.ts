import { commonEnv, internalEnv, parseEnv, redisEnv, z } from "@opsc/config";
import { vaultKeysFromEnv } from "@opsc/vault";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
const MONTH_MS = 30 * DAY_MS;
const YEAR_MS = 365 * DAY_MS;

const schema = z.object({
  ...commonEnv().shape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8111),
  VAULT_KEYS: z.string().min(1, "VAULT_KEYS is required: the same keys as the targets service"),
  TARGETS_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8103"),
  DISCOVERY_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8104"),
  EXECUTION_INTERNAL_URL: z.string().url().default("http://127.0.0.1:8105"),
  /** Messages (batches) one process runs at once, across every module's jobs. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
  /** How long a stopping worker lets running batches finish before leaving them to another replica. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
  HEALTH_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  HEALTH_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
  HEALTH_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(200),
  HEALTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  HEALTH_DEGRADED_LATENCY_MS: z.coerce.number().int().min(1).max(120_000).default(2_000),
  /** How often the leader prunes old runs and logs (execution service) and trims the streams. */
  MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(100).max(WEEK_MS).default(HOUR_MS),
  /** Runs per retention call. */
  MAINTENANCE_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(50),
  /** Events and consumer-group stream entries, once delivered and acknowledged by every group, are kept this long. */
  STREAM_RETENTION_MS: z.coerce.number().int().min(0).max(YEAR_MS).default(WEEK_MS),
  /** Dead letters are kept this long. */
  DEAD_LETTER_RETENTION_MS: z.coerce.number().int().min(0).max(YEAR_MS).default(MONTH_MS),
  /** A run's live log stream still there this long after its last chunk (its expiry lost) is deleted. */
  LIVE_LOG_RETENTION_MS: z.coerce.number().int().min(HOUR_MS).max(YEAR_MS).default(DAY_MS),
});

/** The system worker's configuration, parsed once at boot; a bad value stops the process naming the variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const base = parseEnv(schema, source);
  const vault = vaultKeysFromEnv(base.VAULT_KEYS);
  return {
    logLevel: base.LOG_LEVEL,
    host: base.HOST,
    port: base.PORT,
    vault,
    redis: parseEnv(redisEnv(), source),
    internal: parseEnv(internalEnv(), source),
    serviceUrls: {
      targets: base.TARGETS_INTERNAL_URL,
      discovery: base.DISCOVERY_INTERNAL_URL,
      execution: base.EXECUTION_INTERNAL_URL,
    },
    workerConcurrency: base.WORKER_CONCURRENCY,
    shutdownTimeoutMs: base.SHUTDOWN_TIMEOUT_MS,
    health: {
      sweepIntervalMs: base.HEALTH_SWEEP_INTERVAL_MS,
      batchSize: base.HEALTH_BATCH_SIZE,
      concurrency: base.HEALTH_CONCURRENCY,
      timeoutMs: base.HEALTH_TIMEOUT_MS,
      degradedLatencyMs: base.HEALTH_DEGRADED_LATENCY_MS,
    },
    maintenance: {
      intervalMs: base.MAINTENANCE_INTERVAL_MS,
      batchSize: base.MAINTENANCE_BATCH_SIZE,
      streams: {
        retentionMs: base.STREAM_RETENTION_MS,
        deadLetterRetentionMs: base.DEAD_LETTER_RETENTION_MS,
        liveLogRetentionMs: base.LIVE_LOG_RETENTION_MS,
      },
    },
  };
}

export type SystemWorkerEnv = ReturnType<typeof loadEnv>;
