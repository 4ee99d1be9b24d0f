import { type Generated, type Kysely, sql, type Transaction } from "kysely";

/**
 * The outbox table every service has in its own schema (created by the service's first migration).
 * A row is written in the same transaction as the change it records; the relay publishes it to Redis.
 */
export interface AuditOutboxTable {
  id: Generated<number>;
  event_id: string;
  occurred_at: Generated<Date>;
  actor_type: "user" | "api_key" | "system" | "anonymous";
  actor_id: string | null;
  api_key_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  before: unknown;
  after: unknown;
  source_ip: string | null;
  request_id: string | null;
  published_at: Date | null;
}

/** Who did it, from where, in which request. */
export interface AuditActor {
  actorId: string | null;
  apiKeyId: string | null;
  sourceIp: string | null;
  requestId: string | null;
  /** "system" for work no person started (bootstrap, maintenance). */
  isSystem?: boolean;
}

export interface AuditEntry {
  action: string;
  resourceType: string;
  resourceId: string | null;
  /** Public representations only: never a secret, a hash or a token. */
  before?: unknown;
  after?: unknown;
}

type OutboxDb = { audit_outbox: AuditOutboxTable };

/** Writes one audit record; call it with the transaction that makes the change. */
export async function recordAudit(
  trx: Transaction<any> | Kysely<any>,
  actor: AuditActor,
  entry: AuditEntry,
): Promise<void> {
  await recordAudits(trx, actor, [entry]);
}

/** Many records in one statement (a bulk change of 1,000 targets records 1,000 entries). */
export async function recordAudits(
  trx: Transaction<any> | Kysely<any>,
  actor: AuditActor,
  entries: AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const db = trx as unknown as Kysely<OutboxDb>;
  const actorType: AuditOutboxTable["actor_type"] = actor.isSystem
    ? "system"
    : actor.apiKeyId
      ? "api_key"
      : actor.actorId
        ? "user"
        : "anonymous";
  const rows = entries.map((entry) => ({
    event_id: crypto.randomUUID(),
    actor_type: actorType,
    actor_id: actor.actorId,
    api_key_id: actor.apiKeyId,
    action: entry.action,
    resource_type: entry.resourceType,
    resource_id: entry.resourceId,
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
    source_ip: actor.sourceIp,
    request_id: actor.requestId,
  }));
  // PostgreSQL takes at most 65,535 parameters per statement: 11 per record, so chunks of 2,000.
  for (let start = 0; start < rows.length; start += 2000) {
    await db
      .insertInto("audit_outbox")
      .values(rows.slice(start, start + 2000))
      .execute();
  }
  // Wakes the relay at once instead of at its next poll; delivered only if the transaction commits.
  await sql`select pg_notify('opsc_audit_outbox', '')`.execute(db);
}
