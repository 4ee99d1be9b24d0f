import type { Logger } from "@opsc/logger";
import type { VaultKeys } from "@opsc/vault";
import type { Kysely } from "kysely";
import type { TargetsDatabase } from "./database.ts";

export interface TargetsServiceDeps {
  db: Kysely<TargetsDatabase>;
  vault: VaultKeys;
  log: Logger;
  /** Health checks of targets without their own interval run this often. */
  defaultIntervalSeconds: number;
  /** Connection tests give up after this long. */
  connectTimeoutMs: number;
}
