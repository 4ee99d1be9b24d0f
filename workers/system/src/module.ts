import type { Logger } from "@opsc/logger";
import type { AnyJobDefinition, HandlerContext, Producer } from "@opsc/streams";
import type { VaultKeys } from "@opsc/vault";
import type Redis from "ioredis";

/**
 * What the system worker gives its modules. Clients of other services' internal routers are created per
 * module from `internalToken` and the URLs in the worker's environment.
 */
export interface SystemWorkerDeps {
  redis: Redis;
  redisPrefix: string;
  /** Enqueues any job of the worker's catalog (the union of every module's jobs). */
  producer: Producer<any>;
  log: Logger;
  vault: VaultKeys;
  internalToken: string;
  /** Internal base URLs of the services the modules call (e.g. targets, discovery). */
  serviceUrls: Record<string, string>;
}

/**
 * A unit of the system worker: its stream jobs and their handlers (run by every replica, work shared through
 * the consumer group), and optional leader-only periodic work (sweeps, schedules), run by one replica at a time.
 */
export interface SystemWorkerModule {
  name: string;
  jobs: AnyJobDefinition[];
  handlers(deps: SystemWorkerDeps): Record<string, (payload: any, context: HandlerContext) => Promise<void>>;
  leaderTasks?: {
    name: string;
    intervalMs: number;
    run(deps: SystemWorkerDeps, signal: AbortSignal): Promise<void>;
  }[];
}
