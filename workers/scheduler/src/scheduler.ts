import { randomUUID } from "node:crypto";
import type { Logger } from "@opsc/logger";
import { LeaderLease, LeaderWork, repeatEvery } from "@opsc/streams";
import type Redis from "ioredis";
import type { JobsClientFactory } from "./jobs-client.ts";
import { fireLag, firesTotal, isLeaderGauge, ticksTotal } from "./metrics.ts";

/** The lease every scheduler replica contends for: `${prefix}:leader:scheduler`. */
export const SCHEDULER_LEASE = "scheduler";

/** How long a fire that ignores the abort may hold up a change of leadership or a shutdown. */
const STOP_WAIT_MS = 10_000;

export interface SchedulerOptions {
  /** A connection without keyPrefix that fails commands fast when Redis is down; `stop()` closes it. */
  redis: Redis;
  prefix: string;
  jobs: JobsClientFactory;
  log: Logger;
  /** Pause between two ticks (default 1,000 ms). */
  tickMs?: number;
  /** Leader lease length (default 10,000 ms). */
  leaseTtlMs?: number;
  /** Due slots per tick at most (default 100). */
  batchSize?: number;
}

/**
 * One scheduler process. Every replica contends for the lease; the holder asks the jobs service every tick for
 * the slots that are due and fires them one by one. The jobs service records each slot under a unique key in the
 * same transaction that moves the schedule on, so a slot fires once even when a paused old leader and a new one
 * both fire it: leadership keeps the load off the database, it is not what makes a fire happen once.
 */
export class Scheduler {
  readonly lease: LeaderLease;
  private readonly log: Logger;
  private readonly tickMs: number;
  private readonly batchSize: number;
  private readonly leaderWork: LeaderWork;
  private state: "created" | "running" | "stopping" | "stopped" = "created";

  constructor(private readonly options: SchedulerOptions) {
    this.log = options.log;
    this.tickMs = options.tickMs ?? 1000;
    this.batchSize = options.batchSize ?? 100;
    this.leaderWork = new LeaderWork({
      log: options.log,
      stopWaitMs: STOP_WAIT_MS,
      stopTimeoutMessage: "a fire in progress held up the scheduler's stop",
      gauge: isLeaderGauge,
    });
    this.lease = new LeaderLease({
      redis: options.redis,
      prefix: options.prefix,
      name: SCHEDULER_LEASE,
      ttlMs: options.leaseTtlMs ?? 10_000,
      log: options.log,
      onAcquired: () => this.leaderWork.start((signal) => this.run(signal)),
      onLost: (reason) => this.leaderWork.stop(`leadership ${reason}`),
    });
  }

  get isRunning(): boolean {
    return this.state === "running";
  }

  /** Whether this replica leads now (fires due slots). */
  get isLeader(): boolean {
    return this.lease.isLeader;
  }

  /** Starts contending for the lease; resolves after the first attempt. */
  async start(): Promise<void> {
    if (this.state !== "created") throw new Error(`scheduler already ${this.state}`);
    this.state = "running";
    await this.lease.start();
    this.log.info({ leader: this.lease.isLeader, lease: this.lease.token }, "scheduler started");
  }

  /** Releases the lease (another replica leads at once), stops the loop, closes Redis. */
  async stop(): Promise<void> {
    if (this.state === "stopping" || this.state === "stopped") return;
    this.state = "stopping";
    await this.lease.stop();
    await this.leaderWork.stop("shutting down");
    const ended = new Promise((resolve) => this.options.redis.once("end", resolve));
    await this.options.redis.quit().catch(() => this.options.redis.disconnect());
    if (this.options.redis.status !== "end") await ended;
    this.state = "stopped";
    this.log.info("scheduler stopped");
  }

  /**
   * One tick: the due slots (at most `batchSize`), each fired in turn until leadership ends. Returns how many were
   * due and how many fire calls failed. Exposed for tests; the leader's loop calls it.
   */
  async tick(signal: AbortSignal = new AbortController().signal): Promise<{ due: number; failed: number }> {
    const client = this.options.jobs(`scheduler:${randomUUID()}`);
    const { items } = await client.schedules.due.query({
      now: new Date().toISOString(),
      limit: this.batchSize,
    });
    let failed = 0;
    for (const item of items) {
      if (signal.aborted) break;
      try {
        const result = await client.schedules.fire.mutate({ scheduleId: item.scheduleId, slot: item.slot });
        const outcome = result.alreadyFired ? "already-fired" : (result.outcome ?? "none");
        firesTotal.inc({ outcome });
        if (!result.alreadyFired && result.outcome)
          fireLag.observe(Math.max(0, Date.now() - Date.parse(item.slot)) / 1000);
        this.log.info(
          {
            scheduleId: item.scheduleId,
            slot: item.slot,
            outcome,
            runId: result.runId,
            nextFireAt: result.nextFireAt,
          },
          "schedule fired",
        );
      } catch (error) {
        failed++;
        firesTotal.inc({ outcome: "error" });
        // The slot stays due: the next tick tries it again (the jobs service restarting, say).
        this.log.error(
          { err: error, scheduleId: item.scheduleId, slot: item.slot },
          "firing a schedule failed",
        );
      }
    }
    return { due: items.length, failed };
  }

  private async run(signal: AbortSignal): Promise<void> {
    await repeatEvery(
      this.tickMs,
      signal,
      async () => {
        const { due, failed } = await this.tick(signal);
        ticksTotal.inc({ outcome: "succeeded" });
        // A full batch that fired cleanly means more are due: take them at once rather than a tick later.
        return due >= this.batchSize && failed === 0;
      },
      (error) => {
        ticksTotal.inc({ outcome: "failed" });
        this.log.error({ err: error }, "scheduler tick failed");
      },
    );
  }
}
