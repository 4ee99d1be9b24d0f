import { streamKey, type TAuditRecord } from "@opsc/contracts";
import type { Logger } from "@opsc/logger";
import type Redis from "ioredis";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import type { AuditOutboxTable } from "./outbox.ts";

export interface OutboxRelayOptions {
  db: Kysely<any>;
  redis: Redis;
  redisPrefix: string;
  /** The owning service's name, stamped on every event. */
  service: string;
  /** A connection URL for LISTEN; without it the relay only polls. */
  listenUrl?: string;
  schema: string;
  log: Logger;
  pollIntervalMs?: number;
  batchSize?: number;
  /** Approximate cap on the events stream (XADD MAXLEN ~). */
  streamMaxLength?: number;
  /** Also relay the service's `event_outbox` (domain events); only services that have that table set it. */
  domainEvents?: boolean;
  /**
   * When Redis is found to have lost its data, audit records published this long ago or less are published again
   * (default 24 h): entries the audit service had not read yet were lost with the stream. See
   * docs/decisions/0018-audit-trail.md.
   */
  republishWindowMs?: number;
}

/**
 * Publishes outbox rows to the events stream, oldest first, at least once. Rows are claimed with
 * FOR UPDATE SKIP LOCKED, so several replicas of a service relay without publishing a row twice in the
 * normal case; a crash between XADD and COMMIT republishes, and consumers dedupe on eventId.
 */
export class OutboxRelay {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private listener: pg.Client | null = null;
  private running = false;
  private draining: Promise<void> | null = null;
  private wakeRequested = false;
  /** The events stream's epoch as this relay last saw it; a different or missing one means Redis lost its data. */
  private epoch: string | null = null;

  constructor(private readonly options: OutboxRelayOptions) {}

  async start(): Promise<void> {
    this.running = true;
    if (this.options.listenUrl) {
      const client = new pg.Client({ connectionString: this.options.listenUrl });
      client.on("error", (error) => this.options.log.warn({ err: error }, "outbox listener error"));
      client.on("notification", () => this.wake());
      await client.connect();
      await client.query(`set search_path to "${this.options.schema}"`);
      await client.query("listen opsc_audit_outbox");
      this.listener = client;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.draining;
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }

  /** Publishes everything pending now; returns how many rows were published. */
  async drain(): Promise<number> {
    let total = 0;
    const batchSize = this.options.batchSize ?? 200;
    await this.recoverLostStream();
    for (;;) {
      const audit = await this.publishBatch("audit_outbox", (row) => ({
        type: "audit.recorded",
        data: this.toAuditRecord(row as AuditOutboxRow),
      }));
      const events = this.options.domainEvents
        ? await this.publishBatch("event_outbox", (row) => {
            const event = row as EventOutboxRow;
            return {
              type: event.type,
              data: {
                eventId: event.event_id,
                type: event.type,
                service: this.options.service,
                occurredAt: event.occurred_at.toISOString(),
                payload: event.payload,
              },
            };
          })
        : 0;
      total += audit + events;
      if (audit < batchSize && events < batchSize) return total;
    }
  }

  /**
   * Redis marks each service's view of the events stream with an epoch key. A relay that has to create it (first
   * start, or Redis restarted empty) or finds another value than it saw (another replica created it after a loss)
   * puts the audit records of the republish window back to unpublished: the audit service may not have read them
   * before the stream was lost. It stores each record once (by event id), so republishing is safe.
   */
  private async recoverLostStream(): Promise<void> {
    const { db, redis, redisPrefix, service } = this.options;
    const key = `${streamKey(redisPrefix, "events")}:epoch:${service}`;
    let current = await redis.get(key);
    let created = false;
    if (current === null) {
      const fresh = crypto.randomUUID();
      created = (await redis.set(key, fresh, "NX")) === "OK";
      current = created ? fresh : await redis.get(key);
    }
    if (!created && current === this.epoch) return;
    if (created || this.epoch !== null) {
      const windowMs = this.options.republishWindowMs ?? 24 * 60 * 60 * 1000;
      const result = await db
        .updateTable("audit_outbox")
        .set({ published_at: null })
        .where("published_at", ">", new Date(Date.now() - windowMs))
        .executeTakeFirst();
      const count = Number(result.numUpdatedRows);
      if (count > 0)
        this.options.log.warn(
          { count, service },
          "the events stream was lost or is new; republishing audit records",
        );
    }
    this.epoch = current;
  }

  private toAuditRecord(row: AuditOutboxRow): TAuditRecord {
    return {
      eventId: row.event_id,
      occurredAt: row.occurred_at.toISOString(),
      service: this.options.service,
      actorType: row.actor_type,
      actorId: row.actor_id,
      apiKeyId: row.api_key_id,
      action: row.action,
      resourceType: row.resource_type,
      resourceId: row.resource_id,
      before: row.before ?? null,
      after: row.after ?? null,
      sourceIp: row.source_ip,
      requestId: row.request_id,
    };
  }

  /**
   * Claims the oldest unpublished rows of one outbox table, XADDs them in one pipeline, and marks them published
   * in the same transaction; a failed XADD rolls the claim back and the rows go out on the next drain.
   */
  private async publishBatch(
    table: "audit_outbox" | "event_outbox",
    toEntry: (row: { id: number; event_id: string }) => { type: string; data: unknown },
  ): Promise<number> {
    const { db, redis, redisPrefix } = this.options;
    const stream = streamKey(redisPrefix, "events");
    const maxLength = String(this.options.streamMaxLength ?? 1_000_000);
    return db.transaction().execute(async (trx) => {
      const rows = (await trx
        .selectFrom(table)
        .selectAll()
        .where("published_at", "is", null)
        .orderBy("id")
        .limit(this.options.batchSize ?? 200)
        .forUpdate()
        .skipLocked()
        .execute()) as { id: number; event_id: string }[];
      if (rows.length === 0) return 0;
      const pipeline = redis.pipeline();
      for (const row of rows) {
        const entry = toEntry(row);
        pipeline.xadd(
          stream,
          "MAXLEN",
          "~",
          maxLength,
          "*",
          "type",
          entry.type,
          "eventId",
          row.event_id,
          "data",
          JSON.stringify(entry.data),
        );
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
      await trx
        .updateTable(table)
        .set({ published_at: sql<Date>`now()` })
        .where(
          "id",
          "in",
          rows.map((row) => row.id),
        )
        .execute();
      return rows.length;
    });
  }

  private wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.draining = this.drain()
        .then(() => undefined)
        .catch((error) => this.options.log.error({ err: error }, "outbox relay failed; will retry"))
        .finally(() => {
          this.draining = null;
          const again = this.wakeRequested;
          this.wakeRequested = false;
          this.schedule(again ? 0 : (this.options.pollIntervalMs ?? 1000));
        });
    }, delayMs);
  }
}

type AuditOutboxRow = Omit<AuditOutboxTable, "id" | "occurred_at"> & { id: number; occurred_at: Date };
type EventOutboxRow = { id: number; event_id: string; type: string; payload: unknown; occurred_at: Date };
