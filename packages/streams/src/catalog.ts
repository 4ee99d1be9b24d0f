import type { z } from "zod";
import type { HandlerContext } from "./handler-context.ts";

/** Exponential back-off between attempts after an ordinary error (a `RetryAfterError` sets its own delay). */
export interface RetryBackoff {
  /** Delay before the second attempt; it doubles for each later attempt. */
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * One job kind a worker runs. Its payload travels as JSON: the schema's *input* is what producers send and must
 * survive `JSON.stringify` (ISO strings, not `Date`s); handlers receive the schema's *output*.
 */
export interface JobDefinition<
  Name extends string = string,
  Schema extends z.ZodType = z.ZodType,
  Stream extends string = string,
> {
  /** Dotted name, e.g. `execution.run`; stored in every message, so never reuse a retired name for a new shape. */
  name: Name;
  schema: Schema;
  /** The stream (under the prefix) that carries this job, e.g. `execution`. */
  stream: Stream;
  /**
   * How long a consumer may hold a message without finishing or heartbeating before another consumer reclaims it.
   * It is the consumer group's reclaim idle time for this job, so it must exceed the handler's normal run time or
   * the handler must call `heartbeat()` well within it.
   */
  visibilityTimeoutMs: number;
  /** Attempts in all, the first included; a reclaimed message counts the attempt its lost consumer made. */
  maxAttempts: number;
  /** Delay before a retry after an ordinary error; none (immediate retry) when omitted. */
  backoff?: RetryBackoff;
  /**
   * A retired job kept registered until its stream drains: consumers still run queued messages, producers refuse
   * new ones (at compile time and at run time).
   */
  deprecated?: boolean;
}

/** Any job definition, whatever its name, schema and stream. */
// biome-ignore lint/suspicious/noExplicitAny: a catalog mixes schemas of every shape; each job keeps its own type.
export type AnyJobDefinition = JobDefinition<string, any, string>;

/** Jobs by name. Build one with {@link defineCatalog}. */
export type JobCatalog = Record<string, AnyJobDefinition>;

/** What a producer passes for job `Name`. */
export type JobInput<Catalog extends JobCatalog, Name extends keyof Catalog> = z.input<
  Catalog[Name]["schema"]
>;

/** What a handler receives for job `Name`. */
export type JobPayload<Catalog extends JobCatalog, Name extends keyof Catalog> = z.output<
  Catalog[Name]["schema"]
>;

/** Names a producer may enqueue: every job not marked `deprecated: true`. */
export type EnqueueableJobName<Catalog extends JobCatalog> = {
  [Name in keyof Catalog & string]: Catalog[Name] extends { deprecated: true } ? never : Name;
}[keyof Catalog & string];

/** The function that runs one job kind. It throws to fail; see `NonRetryableError` and `RetryAfterError`. */
export type JobHandler<Payload> = (payload: Payload, context: HandlerContext) => Promise<void>;

/** One handler per job of the catalog, deprecated ones included (they still drain). */
export type JobHandlers<Catalog extends JobCatalog> = {
  [Name in keyof Catalog]: JobHandler<JobPayload<Catalog, Name>>;
};

/**
 * Declares a job. The `const` type parameter keeps the literal name, stream and `deprecated` flag, so the catalog
 * can type producers and handlers by name.
 *
 * @example
 * export const runTask = defineJob({
 *   name: "execution.run",
 *   stream: "execution",
 *   schema: z.object({ taskId: z.string().uuid() }),
 *   visibilityTimeoutMs: 30_000,
 *   maxAttempts: 3,
 * });
 */
export function defineJob<const Definition extends AnyJobDefinition>(definition: Definition): Definition {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(definition.name)) {
    throw new Error(`job name must be lower-case dotted words, got ${JSON.stringify(definition.name)}`);
  }
  if (!Number.isInteger(definition.maxAttempts) || definition.maxAttempts < 1) {
    throw new Error(`${definition.name}: maxAttempts must be an integer ≥ 1`);
  }
  if (!Number.isFinite(definition.visibilityTimeoutMs) || definition.visibilityTimeoutMs < 100) {
    throw new Error(`${definition.name}: visibilityTimeoutMs must be at least 100 ms`);
  }
  return definition;
}

/** Indexes jobs by name, refusing duplicates: `defineCatalog(runTask, cancelTask)`. */
export function defineCatalog<const Jobs extends readonly AnyJobDefinition[]>(
  ...jobs: Jobs
): { [Job in Jobs[number] as Job["name"]]: Job } {
  const catalog: Record<string, AnyJobDefinition> = {};
  for (const job of jobs) {
    if (catalog[job.name]) throw new Error(`job ${job.name} is defined twice`);
    catalog[job.name] = job;
  }
  return catalog as { [Job in Jobs[number] as Job["name"]]: Job };
}

/** The streams a catalog's jobs use, each once, in first-seen order. */
export function catalogStreams(catalog: JobCatalog): string[] {
  return [...new Set(Object.values(catalog).map((job) => job.stream))];
}
