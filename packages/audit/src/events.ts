import { type Generated, type Kysely, sql, type Transaction } from "kysely";

/**
 * Domain events (`target.health.changed`, `discovery.hosts.found`, …) travel like audit records: written in the
 * transaction that makes the change, relayed to the events stream. Services that emit them create this table.
 */
export interface EventOutboxTable {
  id: Generated<number>;
  event_id: string;
  type: string;
  payload: unknown;
  occurred_at: Generated<Date>;
  published_at: Date | null;
}

type EventDb = { event_outbox: EventOutboxTable };

export async function recordEvent(
  trx: Transaction<any> | Kysely<any>,
  event: { type: string; payload: Record<string, unknown> },
): Promise<void> {
  await recordEvents(trx, [event]);
}

/** Many events in one statement (a health sweep changes hundreds of targets at once). */
export async function recordEvents(
  trx: Transaction<any> | Kysely<any>,
  events: { type: string; payload: Record<string, unknown> }[],
): Promise<void> {
  if (events.length === 0) return;
  const db = trx as unknown as Kysely<EventDb>;
  const rows = events.map((event) => ({
    event_id: crypto.randomUUID(),
    type: event.type,
    payload: JSON.stringify(event.payload),
  }));
  for (let start = 0; start < rows.length; start += 5000) {
    await db
      .insertInto("event_outbox")
      .values(rows.slice(start, start + 5000))
      .execute();
  }
  await sql`select pg_notify('opsc_audit_outbox', '')`.execute(db);
}
