import { createEventOutbox } from "@opsc/audit/migrations";
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await createEventOutbox(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("event_outbox").execute();
}
