import type { Logger } from "@opsc/logger";
import type { Kysely } from "kysely";
import type { AuditDatabase } from "./database.ts";

export interface AuditServiceDeps {
  db: Kysely<AuditDatabase>;
  log: Logger;
}
