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
    for (;;) {
      const audit = await this.publishBatch();
      const events = this.options.domainEvents ? await this.publishEventBatch() : 0;
      total += audit + events;
      if (audit < batchSize && events < batchSize) return total;
    }
  }

  private async publishEventBatch(): Promise<number> {
    const { db, redis, redisPrefix, service } = this.options;
    const stream = streamKey(redisPrefix, "events");
    const maxLength = String(this.options.streamMaxLength ?? 1_000_000);
    return db.transaction().execute(async (trx) => {
      const rows = (await trx
        .selectFrom("event_outbox")
        .selectAll()
        .where("published_at", "is", null)
        .orderBy("id")
        .limit(this.options.batchSize ?? 200)
        .forUpdate()
        .skipLocked()
        .execute()) as { id: number; event_id: string; type: string; payload: unknown; occurred_at: Date }[];
      if (rows.length === 0) return 0;
      const pipeline = redis.pipeline();
      for (const row of rows) {
        const data = {
          eventId: row.event_id,
          type: row.type,
          service,
          occurredAt: row.occurred_at.toISOString(),
          payload: row.payload,
        };
        pipeline.xadd(
          stream,
          "MAXLEN",
          "~",
          maxLength,
          "*",
          "type",
          row.type,
          "eventId",
          row.event_id,
          "data",
          JSON.stringify(data),
        );
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
      await trx
        .updateTable("event_outbox")
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

  private async publishBatch(): Promise<number> {
    const { db, redis, redisPrefix, service } = this.options;
    const stream = streamKey(redisPrefix, "events");
    const maxLength = String(this.options.streamMaxLength ?? 1_000_000);
    return db.transaction().execute(async (trx) => {
      const rows = (await trx
        .selectFrom("audit_outbox")
        .selectAll()
        .where("published_at", "is", null)
        .orderBy("id")
        .limit(this.options.batchSize ?? 200)
        .forUpdate()
        .skipLocked()
        .execute()) as AuditOutboxRow[];
      if (rows.length === 0) return 0;
      const pipeline = redis.pipeline();
      for (const row of rows) {
        const record: TAuditRecord = {
          eventId: row.event_id,
          occurredAt: row.occurred_at.toISOString(),
          service,
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
        pipeline.xadd(
          stream,
          "MAXLEN",
          "~",
          maxLength,
          "*",
          "type",
          "audit.recorded",
          "eventId",
          row.event_id,
          "data",
          JSON.stringify(record),
        );
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
      await trx
        .updateTable("audit_outbox")
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
}

type AuditOutboxRow = Omit<AuditOutboxTable, "id" | "occurred_at"> & { id: number; occurred_at: Date };
