import { commonEnv, internalEnv, parseEnv, redisEnv, z } from "@opsc/config";
import { objectStoreEnv } from "@opsc/objectstore/env";
import { vaultKeysFromEnv } from "@opsc/vault";

const schema = z.object({
  ...commonEnv().shape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8112),
  VAULT_KEYS: z.string().min(1, "VAULT_KEYS is required: the same keys as the targets service"),
  /** The worker groups whose tasks this worker takes, comma-separated. */
  EXECUTION_GROUPS: z
    .string()
    .default("default")
    .transform((value) =>
      value
        .split(",")
        .map((group) => group.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "lower-case letters, digits and '-'")).min(1),
    ),
  /** Tasks this process runs at once. */
  EXECUTION_CONCURRENCY: z.coerce.number().int().min(1).max(5000).default(50),
  /** Commands on the worker host itself (`runOn: local`): off unless the operator turns them on. */
  EXECUTION_LOCAL_ENABLED: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true"),
  /** Time between TERM and KILL when a task is cancelled or times out. */
  /** A task silent (no heartbeat) this long is reclaimed by another worker; heartbeats come every third of it. */
  EXECUTION_TASK_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  KILL_GRACE_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Files a task may save in OPSC_ARTIFACTS_DIR (or an http body), at most; past it the task fails (`artifact_limit`). */
  EXECUTION_ARTIFACTS_MAX_FILES: z.coerce.number().int().min(0).max(100_000).default(100),
  /** Bytes a task may save, all files together (default 1 GiB). */
  EXECUTION_ARTIFACTS_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(1024 ** 3),
  /** How long a stopping worker lets running tasks finish before it cancels them. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
});

/** The execution worker's configuration, parsed once at boot; a bad value stops the process naming the variable. */
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
    groups: base.EXECUTION_GROUPS,
    concurrency: base.EXECUTION_CONCURRENCY,
    localEnabled: base.EXECUTION_LOCAL_ENABLED,
    killGraceMs: base.KILL_GRACE_MS,
    leaseMs: base.EXECUTION_TASK_LEASE_MS,
    connectTimeoutMs: base.CONNECT_TIMEOUT_MS,
    shutdownTimeoutMs: base.SHUTDOWN_TIMEOUT_MS,
    objectStore: parseEnv(objectStoreEnv(), source),
    artifacts: { maxFiles: base.EXECUTION_ARTIFACTS_MAX_FILES, maxBytes: base.EXECUTION_ARTIFACTS_MAX_BYTES },
  };
}

export type ExecutionWorkerEnv = ReturnType<typeof loadEnv>;
