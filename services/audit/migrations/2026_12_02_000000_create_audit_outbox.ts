import { createAuditOutbox } from "@opsc/audit/migrations";
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await createAuditOutbox(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("audit_outbox").execute();
}
