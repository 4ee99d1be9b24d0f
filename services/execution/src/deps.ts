import type { Logger } from "@opsc/logger";
import type { ObjectStore } from "@opsc/objectstore";
import type { InternalClient } from "@opsc/server-kit";
import type { TargetsInternalRouter } from "@opsc/targets/internal";
import type { VaultKeys } from "@opsc/vault";
import type Redis from "ioredis";
import type { Kysely } from "kysely";
import type { ExecutionDatabase } from "./database.ts";
import type { RetentionPolicy } from "./retention/retention.service.ts";
import type { Dispatcher } from "./runs/dispatch.ts";

export interface ExecutionServiceDeps {
  db: Kysely<ExecutionDatabase>;
  redis: Redis;
  prefix: string;
  log: Logger;
  /** The targets service's internal router: resolves a run's targets, pins first-use host keys. */
  inventory: InternalClient<TargetsInternalRouter>;
  dispatcher: Dispatcher;
  /** Artifacts (written by workers, read here) and run log archives. */
  objectStore: ObjectStore;
  /** Seals secret parameters of job runs (opened by the worker that uses them). */
  vault: VaultKeys;
  /** How long finished runs keep their logs in PostgreSQL and are kept at all (default 30 and 365 days). */
  retention?: RetentionPolicy;
}
