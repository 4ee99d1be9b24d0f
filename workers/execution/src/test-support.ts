import { createLogger } from "@opsc/logger";
import type { ObjectStore } from "@opsc/objectstore";
import { parseVaultKeys } from "@opsc/vault";
import type Redis from "ioredis";
import { createTaskExecutors } from "./executors.ts";
import { ExecutionWorker } from "./worker.ts";

/** An execution worker in the test's process, on the test's Redis prefix, with the real executors. */
export function createExecutionWorkerForTests(options: {
  redis: Redis;
  prefix: string;
  vaultKeys: string;
  localEnabled?: boolean;
  groups?: string[];
  concurrency?: number;
  workerId?: string;
  /** Where artifacts go; without it tasks save none. */
  objectStore?: ObjectStore;
  artifactLimits?: { maxFiles: number; maxBytes: number };
}) {
  return new ExecutionWorker({
    redis: options.redis,
    prefix: options.prefix,
    groups: options.groups ?? ["default"],
    concurrency: options.concurrency ?? 20,
    killGraceMs: 1_000,
    ...(options.workerId ? { workerId: options.workerId } : {}),
    executors: createTaskExecutors({
      vault: parseVaultKeys(options.vaultKeys),
      localEnabled: options.localEnabled ?? false,
      connectTimeoutMs: 5_000,
    }),
    ...(options.objectStore
      ? {
          artifacts: {
            store: options.objectStore,
            ...(options.artifactLimits ?? { maxFiles: 100, maxBytes: 1024 ** 3 }),
          },
        }
      : {}),
    log: createLogger({ service: "execution-worker-test", level: process.env.TEST_LOG_LEVEL ?? "silent" }),
  });
}
