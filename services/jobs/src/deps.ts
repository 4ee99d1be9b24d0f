import type { IdentityRouter } from "@opsc/auth/internal";
import type { ExecutionInternalRouter } from "@opsc/execution/internal";
import type { Logger } from "@opsc/logger";
import type { InternalClient } from "@opsc/server-kit";
import type { TargetsInternalRouter } from "@opsc/targets/internal";
import type { VaultKeys } from "@opsc/vault";
import type { Kysely } from "kysely";
import type { JobsDatabase } from "./database.ts";

export interface JobsServiceDeps {
  db: Kysely<JobsDatabase>;
  log: Logger;
  /** The auth service's internal router: a new owner must be a user. */
  identity: InternalClient<IdentityRouter>;
  /** The targets service's internal router: choices from the targets matching a selector. */
  inventory: InternalClient<TargetsInternalRouter>;
  /** The execution service's internal router: job runs start there (`runs.startPlan`). */
  execution: InternalClient<ExecutionInternalRouter>;
  /** Seals webhook secrets and the secret parameter values schedules and webhooks keep (VAULT_KEYS). */
  vault: VaultKeys;
  /** Slots of one schedule are at least this many seconds apart (60; lowered only by tests, see env.ts). */
  scheduleMinIntervalSeconds: number;
}
