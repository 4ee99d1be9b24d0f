import type { Logger } from "@opsc/logger";
import {
  catalogStreams,
  consumerGroupName,
  createProducer,
  defineCatalog,
  type JobCatalog,
  type JobHandlers,
  LeaderLease,
  StreamConsumer,
  trackQueueDepth,
} from "@opsc/streams";
import type { VaultKeys } from "@opsc/vault";
import type Redis from "ioredis";
import { LeaderTaskRunner } from "./leader-tasks.ts";
import type { SystemWorkerDeps, SystemWorkerModule } from "./module.ts";

/** The consumer group every system worker replica joins: messages are shared among them, each runs once. */
export const SYSTEM_GROUP = consumerGroupName("system");
/** The leader lease: one replica at a time runs the modules' periodic tasks (sweeps). */
export const SYSTEM_LEASE = "system";

/** What {@link SystemWorker} needs; `main.ts` builds it from the environment, tests build it directly. */
export interface SystemWorkerOptions {
  /** A connection without keyPrefix that fails commands fast when Redis is down; `stop()` closes it. */
  redis: Redis;
  prefix: string;
  vault: VaultKeys;
  internalToken: string;
  serviceUrls: Record<string, string>;
  modules: SystemWorkerModule[];
  /** Messages this process runs at once (raised to the number of streams when lower). */
  concurrency: number;
  log: Logger;
  /** Leader lease length (default 15,000 ms): how long a crashed leader's sweeps pause at most. */
  leaseTtlMs?: number;
  /** XREADGROUP block time (default 5,000 ms). */
  blockMs?: number;
}

/**
 * One system worker process: the union of its modules' job catalogs behind one producer and one consumer of the
 * `system` group, and a leader lease under which one replica runs the modules' periodic tasks and reports the
 * streams' queue depth.
 */
export class SystemWorker {
  readonly catalog: JobCatalog;
  readonly deps: SystemWorkerDeps;
  readonly consumer: StreamConsumer<JobCatalog>;
  readonly lease: LeaderLease;
  private readonly leaderTasks: LeaderTaskRunner;
  private untrackDepth: (() => void)[] = [];
  private state: "created" | "running" | "stopping" | "stopped" = "created";
  private readonly log: Logger;

  constructor(private readonly options: SystemWorkerOptions) {
    this.log = options.log;
    const names = new Set<string>();
    for (const module of options.modules) {
      if (names.has(module.name)) throw new Error(`system worker module ${module.name} is registered twice`);
      names.add(module.name);
    }
    // defineCatalog refuses a job name that two modules both define.
    this.catalog = defineCatalog(...options.modules.flatMap((module) => module.jobs));
    const producer = createProducer({ redis: options.redis, prefix: options.prefix, catalog: this.catalog });
    this.deps = {
      redis: options.redis,
      redisPrefix: options.prefix,
      producer,
      log: options.log,
      vault: options.vault,
      internalToken: options.internalToken,
      serviceUrls: options.serviceUrls,
    };
    const handlers: Record<string, JobHandlers<JobCatalog>[string]> = {};
    for (const module of options.modules) {
      const moduleDeps = { ...this.deps, log: options.log.child({ module: module.name }) };
      for (const [name, handler] of Object.entries(module.handlers(moduleDeps))) {
        if (!this.catalog[name])
          throw new Error(`module ${module.name} handles ${name}, which no module defines`);
        if (handlers[name]) throw new Error(`job ${name} has two handlers`);
        handlers[name] = handler;
      }
    }
    const streams = catalogStreams(this.catalog);
    this.consumer = new StreamConsumer({
      redis: options.redis,
      prefix: options.prefix,
      group: SYSTEM_GROUP,
      catalog: this.catalog,
      handlers,
      // COUNT applies per stream: the consumer must be able to read every stream at once.
      concurrency: Math.max(options.concurrency, streams.length),
      ...(options.blockMs !== undefined ? { blockMs: options.blockMs } : {}),
      log: options.log,
    });
    this.leaderTasks = new LeaderTaskRunner(
      options.modules.flatMap((module) => module.leaderTasks ?? []),
      this.deps,
      options.log.child({ lease: SYSTEM_LEASE }),
    );
    this.lease = new LeaderLease({
      redis: options.redis,
      prefix: options.prefix,
      name: SYSTEM_LEASE,
      ...(options.leaseTtlMs !== undefined ? { ttlMs: options.leaseTtlMs } : {}),
      log: options.log,
      onAcquired: () => {
        // Queue depth is the same whoever measures it: only the leader reports it, so replicas do not repeat it.
        this.untrackDepth = streams.map((stream) =>
          trackQueueDepth({ redis: options.redis, prefix: options.prefix, stream, group: SYSTEM_GROUP }),
        );
        this.leaderTasks.start();
      },
      onLost: async (reason) => {
        for (const untrack of this.untrackDepth.splice(0)) untrack();
        await this.leaderTasks.stop(`leadership ${reason}`);
      },
    });
  }

  /** Whether the consumer runs (it reads, reclaims and runs handlers). */
  get isRunning(): boolean {
    return this.state === "running";
  }

  /** Whether this replica leads now (runs the periodic tasks). */
  get isLeader(): boolean {
    return this.lease.isLeader;
  }

  /** Readiness: the consumer runs and Redis answers. */
  async isReady(): Promise<boolean> {
    if (!this.isRunning) return false;
    return (await this.options.redis.ping().catch(() => null)) === "PONG";
  }

  /** Creates the consumer group, starts consuming, then contends for the leader lease. */
  async start(): Promise<void> {
    if (this.state !== "created") throw new Error(`system worker already ${this.state}`);
    await this.consumer.start();
    this.state = "running";
    await this.lease.start();
    this.log.info(
      { jobs: Object.keys(this.catalog), consumer: this.consumer.consumerName, leader: this.lease.isLeader },
      "system worker started",
    );
  }

  /**
   * Graceful shutdown: stops the periodic tasks and releases the lease (another replica takes over at once), then
   * lets running messages finish for up to `timeoutMs`; what is still running then is left pending, for another
   * replica to reclaim after its visibility timeout. Closes the Redis connection last.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.state === "stopping" || this.state === "stopped") return;
    this.state = "stopping";
    await this.lease.stop();
    await this.leaderTasks.stop("shutting down");
    for (const untrack of this.untrackDepth.splice(0)) untrack();
    await this.consumer.stop({ timeoutMs: options.timeoutMs ?? 20_000 });
    const ended = new Promise((resolve) => this.options.redis.once("end", resolve));
    await this.options.redis.quit().catch(() => this.options.redis.disconnect());
    if (this.options.redis.status !== "end") await ended;
    this.state = "stopped";
    this.log.info("system worker stopped");
  }
}
