import { hostname } from "node:os";
import { streamKey } from "@opsc/contracts";
import type { Logger } from "@opsc/logger";
import { claimAbandonedEntries, ensureGroupFromStart, stopBlockingReader } from "@opsc/streams";
import type Redis from "ioredis";
import type { AuditServiceDeps } from "../deps.ts";
import { appendRecords, auditRecordOfEntry } from "./append.service.ts";

/** The audit service's consumer group on the events stream. */
export const AUDIT_GROUP = "audit";
const BATCH = 1_000;
/** An entry pending this long at another (dead) replica is taken over. */
const CLAIM_IDLE_MS = 30_000;

type Entry = [string, string[]];

/**
 * Reads the events stream in the `audit` group and appends the audit records to the chain, a batch per
 * transaction, acknowledging only after the commit (a crash in between redelivers; the append skips what is
 * stored). Other events are acknowledged and skipped.
 */
export class AuditConsumer {
  readonly #deps: AuditServiceDeps;
  readonly #redis: Redis;
  readonly #blocking: Redis;
  readonly #stream: string;
  readonly #log: Logger;
  readonly #consumer = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  #running = false;
  #loop: Promise<void> | null = null;
  #lastClaim = 0;

  constructor(deps: AuditServiceDeps & { redis: Redis; redisPrefix: string }) {
    this.#deps = deps;
    this.#redis = deps.redis;
    this.#blocking = deps.redis.duplicate();
    this.#stream = streamKey(deps.redisPrefix, "events");
    this.#log = deps.log.child({ component: "audit-consumer" });
  }

  async start(): Promise<void> {
    this.#running = true;
    await this.#ensureGroup();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await stopBlockingReader(this.#blocking, this.#loop);
  }

  async #ensureGroup(): Promise<void> {
    // From the stream's start: records relayed before the service's first start are stored too.
    await ensureGroupFromStart(this.#redis, this.#stream, AUDIT_GROUP);
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        if (Date.now() - this.#lastClaim > CLAIM_IDLE_MS / 2) {
          this.#lastClaim = Date.now();
          await this.#claimAbandoned();
        }
        const response = (await this.#blocking.xreadgroup(
          "GROUP",
          AUDIT_GROUP,
          this.#consumer,
          "COUNT",
          BATCH,
          "BLOCK",
          1_000,
          "STREAMS",
          this.#stream,
          ">",
        )) as [string, Entry[]][] | null;
        const entries = response?.[0]?.[1] ?? [];
        if (entries.length > 0) await this.#process(entries);
      } catch (error) {
        if (!this.#running) return;
        if (String((error as Error).message).includes("NOGROUP")) {
          // Redis lost its data (a restart without persistence): read on from the new stream.
          await this.#ensureGroup().catch(() => {});
          continue;
        }
        this.#log.error({ err: error }, "audit batch failed; retrying");
        await Bun.sleep(500);
      }
    }
  }

  async #claimAbandoned(): Promise<void> {
    await claimAbandonedEntries(
      this.#redis,
      {
        stream: this.#stream,
        group: AUDIT_GROUP,
        consumer: this.#consumer,
        idleMs: CLAIM_IDLE_MS,
        count: BATCH,
        running: () => this.#running,
      },
      (entries) => this.#process(entries),
    );
  }

  async #process(entries: Entry[]): Promise<void> {
    const records = entries.flatMap(([id, fields]) => {
      const record = auditRecordOfEntry(fields);
      // Not an audit record (a domain event), or one no service could have written: kept out of the chain.
      if (!record && fields.includes("audit.recorded"))
        this.#log.warn({ entryId: id }, "skipped a malformed audit record");
      return record ? [record] : [];
    });
    await appendRecords(this.#deps, records);
    await this.#redis.xack(this.#stream, AUDIT_GROUP, ...entries.map(([id]) => id));
  }
}
