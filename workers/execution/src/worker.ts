import type { TTaskMessage, TTaskReport } from "@opsc/contracts/execution/messages";
import { EXECUTION_WORKER_GROUP, executionKeys, TASK_LEASE_MS, taskCatalog } from "@opsc/execution/jobs";
import { ReportWriter } from "@opsc/execution/reports";
import type { ArtifactOptions, SavedArtifact } from "@opsc/executors";
import type { Logger } from "@opsc/logger";
import type { ObjectStore } from "@opsc/objectstore";
import {
  DelayedError,
  type HandlerContext,
  type JobHandlers,
  StreamConsumer,
  trackQueueDepth,
} from "@opsc/streams";
import type Redis from "ioredis";
import { ObjectStoreArtifactSink } from "./artifacts.ts";
import { dispatchLatency, taskOutcomes } from "./metrics.ts";
import { type StreamRedactor, TaskOutput } from "./output.ts";

/** What the worker needs from the executors package: run one task, learning the secrets it opened. */
export interface TaskExecutors {
  execute(
    request: {
      runId: string;
      taskId: string;
      task: TTaskMessage;
      killGraceMs: number;
      signal: AbortSignal;
      onOutput(stream: "stdout" | "stderr", chunk: Buffer): void | Promise<void>;
      /** Where the task's files go, and its limits; without it no artifact is collected. */
      artifacts?: ArtifactOptions;
    },
    onSecrets: (values: string[]) => void,
  ): Promise<{
    status: "succeeded" | "failed" | "timed_out" | "cancelled";
    exitCode: number | null;
    signal: string | null;
    error: { kind: string; message: string } | null;
    cancel: {
      outcome: string;
      survivors: { pid: number; command: string }[];
      outputHeldOpen: boolean;
    } | null;
    observedHostKey: { algorithm: string; fingerprintSha256: string } | null;
    artifacts?: SavedArtifact[];
  }>;
  redactor(secrets: string[]): StreamRedactor;
  close(): Promise<void>;
}

export interface ExecutionWorkerOptions {
  redis: Redis;
  prefix: string;
  groups: string[];
  concurrency: number;
  killGraceMs: number;
  executors: TaskExecutors;
  /** How long a task may go without a heartbeat before another worker reclaims it (default 30 s). */
  leaseMs?: number;
  log: Logger;
  /** Unique per process; the stream consumer's name. */
  workerId?: string;
  /**
   * Artifacts: tasks save files (`OPSC_ARTIFACTS_DIR`, an http `saveBody`) to this store under
   * `artifacts/<runId>/<taskId>/<name>`, within these limits per task. Without it tasks save none.
   */
  artifacts?: { store: ObjectStore; maxFiles: number; maxBytes: number };
}

/** How long an exclusive task waits before trying its target's lock again. */
const LOCK_RETRY_MS = 250;
/** A task still running after this long reports `started`; a quicker one only reports its end. */
const STARTED_REPORT_DELAY_MS = 25;

/**
 * Runs tasks from the groups' streams: checks the run's stop markers, takes the target's lock for exclusive runs,
 * reports `started`, streams output to the run's log, heartbeats while the task runs (so no other worker reclaims
 * it), reports `finished` and acknowledges. Cancel arrives on a pub/sub channel and aborts the task's executor,
 * which kills the whole process tree and reports what survived.
 */
export class ExecutionWorker {
  readonly consumer: StreamConsumer<ReturnType<typeof taskCatalog>>;
  readonly workerId: string;
  readonly #options: ExecutionWorkerOptions;
  readonly #writer: ReportWriter;
  readonly #keys: ReturnType<typeof executionKeys>;
  readonly #subscriber: Redis;
  /** Running tasks: taskId -> { runId, abort }. */
  readonly #running = new Map<string, { runId: string; abort: AbortController }>();
  #started = false;
  #untrackDepth: (() => void)[] = [];
  readonly #leaseMs: number;

  constructor(options: ExecutionWorkerOptions) {
    this.#options = options;
    this.#writer = new ReportWriter(options.redis, options.prefix);
    this.#keys = executionKeys(options.prefix);
    this.#subscriber = options.redis.duplicate();
    this.#leaseMs = options.leaseMs ?? TASK_LEASE_MS;
    const catalog = taskCatalog(options.groups, this.#leaseMs);
    const handlers: Record<string, (payload: TTaskMessage, context: HandlerContext) => Promise<void>> = {};
    for (const name of Object.keys(catalog))
      handlers[name] = (payload, context) => this.#handle(payload, context);
    this.consumer = new StreamConsumer({
      redis: options.redis,
      prefix: options.prefix,
      group: EXECUTION_WORKER_GROUP,
      ...(options.workerId ? { consumer: options.workerId } : {}),
      catalog,
      handlers: handlers as JobHandlers<typeof catalog>,
      concurrency: Math.max(options.concurrency, options.groups.length),
      log: options.log,
    });
    this.workerId = options.workerId ?? `execution-worker-${process.pid}`;
  }

  get isRunning(): boolean {
    return this.#started;
  }

  get runningTasks(): number {
    return this.#running.size;
  }

  async start(): Promise<void> {
    await this.#subscriber.subscribe(this.#keys.cancelChannel);
    this.#subscriber.on("message", (_channel: string, message: string) => this.#onCancel(message));
    await this.consumer.start();
    // Every replica reports the same depth of its groups' streams (identical labels: take the max across them).
    this.#untrackDepth = this.#options.groups.map((group) =>
      trackQueueDepth({
        redis: this.#options.redis,
        prefix: this.#options.prefix,
        stream: `execution.${group}`,
        group: EXECUTION_WORKER_GROUP,
      }),
    );
    this.#started = true;
  }

  /** Lets running tasks finish within `timeoutMs`, then cancels them (their processes are killed). */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#started = false;
    for (const untrack of this.#untrackDepth.splice(0)) untrack();
    await this.consumer.stop({ timeoutMs: options.timeoutMs ?? 30_000 });
    this.#subscriber.disconnect();
    await this.#options.executors.close();
  }

  #onCancel(message: string): void {
    const [kind, id] = message.split(":");
    for (const [taskId, task] of this.#running) {
      if ((kind === "run" && task.runId === id) || (kind === "task" && taskId === id)) task.abort.abort();
    }
  }

  /**
   * A report is the only way a task's outcome reaches the service: when Redis refuses it (a restart: the command was
   * on the old connection when it closed), it is sent again for up to a lease, with backoff. Applying a report twice
   * changes nothing (guarded updates), so a report that did arrive before the error is harmless.
   */
  async #report(report: TTaskReport): Promise<void> {
    const deadline = Date.now() + this.#leaseMs;
    for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 2_000)) {
      try {
        await this.#writer.report(report);
        return;
      } catch (error) {
        if (Date.now() + delayMs > deadline) throw error;
        this.#options.log.warn(
          { err: error, taskId: report.taskId },
          "could not report a task; trying again",
        );
        await Bun.sleep(delayMs);
      }
    }
  }

  async #handle(task: TTaskMessage, context: HandlerContext): Promise<void> {
    const base = { runId: task.runId, taskId: task.taskId, attempt: task.attempt, workerId: this.workerId };
    const finish = (
      status: "succeeded" | "failed" | "timed_out" | "cancelled" | "skipped",
      fields: Partial<Extract<TTaskReport, { type: "finished" }>> = {},
    ) => {
      taskOutcomes.inc({ status });
      return this.#report({
        type: "finished",
        ...base,
        at: Date.now(),
        startedAt: null,
        status,
        exitCode: null,
        error: null,
        cancel: null,
        observedHostKey: null,
        outputBytes: 0,
        ...fields,
      });
    };

    const [runStop, taskStop] = await this.#options.redis.mget(
      this.#keys.runStopped(task.runId),
      this.#keys.taskStopped(task.taskId),
    );
    const stop = taskStop ?? runStop;
    if (stop) return finish(stop === "skipped" ? "skipped" : "cancelled");

    if (context.attempt > 1) {
      // Delivered again: the worker that had it stopped without reporting (killed, lost its connection). Running a
      // command twice is not ours to decide, so the task fails and says why; retrying it is one click.
      return finish("failed", {
        error: {
          kind: "worker_lost",
          message: "The worker running this task stopped before it reported; the task was not run again",
        },
      });
    }

    const lockKey = task.exclusive ? this.#keys.targetLock(task.target.id) : null;
    if (lockKey) {
      const locked = await this.#options.redis.set(lockKey, task.taskId, "PX", this.#leaseMs, "NX");
      if (locked !== "OK")
        throw new DelayedError(LOCK_RETRY_MS, "the target is busy with another exclusive task");
    }

    const abort = new AbortController();
    this.#running.set(task.taskId, { runId: task.runId, abort });
    context.signal.addEventListener("abort", () => abort.abort(), { once: true });
    const heartbeat = setInterval(() => {
      void context.heartbeat().catch(() => abort.abort());
      if (lockKey) void this.#options.redis.pexpire(lockKey, this.#leaseMs).catch(() => {});
    }, this.#leaseMs / 3);
    const secrets: string[] = [];
    const output = new TaskOutput(this.#writer, { runId: task.runId, taskId: task.taskId }, () =>
      this.#options.executors.redactor(secrets),
    );
    const startedAt = Date.now();
    let startedTimer: ReturnType<typeof setTimeout> | null = null;
    let startedSent: Promise<void> | null = null;
    /** The final report follows the `started` one, if that was sent, never overtakes it. */
    const settleStarted = async () => {
      if (startedTimer) clearTimeout(startedTimer);
      startedTimer = null;
      await startedSent?.catch(() => {});
    };
    try {
      dispatchLatency.observe(Math.max(0, startedAt - context.enqueuedAt) / 1000);
      // A task that ends within STARTED_REPORT_DELAY_MS sends only its final report (which carries its start and
      // enqueue times): half the reports, and one transaction at the service instead of two for a quick step.
      startedTimer = setTimeout(() => {
        startedTimer = null;
        startedSent = this.#report({
          type: "started",
          ...base,
          at: startedAt,
          enqueuedAt: context.enqueuedAt,
        });
      }, STARTED_REPORT_DELAY_MS);
      const result = await this.#options.executors.execute(
        {
          runId: task.runId,
          taskId: task.taskId,
          task,
          killGraceMs: this.#options.killGraceMs,
          signal: abort.signal,
          onOutput: (stream, chunk) => output.write(stream, chunk),
          ...(this.#options.artifacts
            ? {
                artifacts: {
                  sink: new ObjectStoreArtifactSink(this.#options.artifacts.store, task),
                  maxFiles: this.#options.artifacts.maxFiles,
                  maxBytes: this.#options.artifacts.maxBytes,
                },
              }
            : {}),
        },
        (values) => secrets.push(...values),
      );
      if (result.artifacts?.length) await output.system(describeArtifacts(result.artifacts));
      const summary = describe(result);
      if (summary) await output.system(summary);
      await output.end();
      await settleStarted();
      await finish(result.status, {
        at: Date.now(),
        startedAt,
        enqueuedAt: context.enqueuedAt,
        exitCode: result.exitCode,
        error: result.error,
        cancel: result.cancel,
        observedHostKey: result.observedHostKey,
        outputBytes: output.bytes,
        ...(Object.keys(output.outputs).length > 0 ? { outputs: output.outputs } : {}),
        ...(result.artifacts?.length ? { artifacts: result.artifacts } : {}),
      });
    } catch (error) {
      // The executor contract is to return failures; an exception here is ours (Redis down while reporting).
      this.#options.log.error({ err: error, taskId: task.taskId }, "task failed in the worker");
      await output.end().catch(() => {});
      await settleStarted();
      await finish("failed", {
        at: Date.now(),
        startedAt,
        error: { kind: "worker", message: "The worker failed while running the task; see its log" },
        outputBytes: output.bytes,
      });
    } finally {
      if (startedTimer) clearTimeout(startedTimer);
      clearInterval(heartbeat);
      this.#running.delete(task.taskId);
      if (lockKey) {
        // Release only our own lock.
        await this.#options.redis
          .eval(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
            1,
            lockKey,
            task.taskId,
          )
          .catch(() => {});
      }
    }
  }
}

/** The line the worker adds to a task's log when it saved files. */
function describeArtifacts(artifacts: SavedArtifact[]): string {
  const size = (bytes: number) =>
    bytes >= 1024 ** 2
      ? `${(bytes / 1024 ** 2).toFixed(1)} MiB`
      : bytes >= 1024
        ? `${(bytes / 1024).toFixed(1)} KiB`
        : `${bytes} B`;
  const shown = artifacts.slice(0, 20).map((artifact) => `${artifact.name} (${size(artifact.size)})`);
  const more = artifacts.length > shown.length ? `, and ${artifacts.length - shown.length} more` : "";
  return `saved ${artifacts.length} artifact${artifacts.length === 1 ? "" : "s"}: ${shown.join(", ")}${more}`;
}

/** The line the worker adds to a task's log when it ends other than with exit code 0. */
function describe(result: Awaited<ReturnType<TaskExecutors["execute"]>>): string | null {
  if (result.cancel) {
    const survivors = result.cancel.survivors.length
      ? `; still running: ${result.cancel.survivors.map((process) => `${process.pid} ${process.command}`).join(", ")}`
      : "";
    return `${result.status === "timed_out" ? "timed out" : "cancelled"}: process group ${result.cancel.outcome}${survivors}`;
  }
  if (result.error) return `${result.error.kind}: ${result.error.message}`;
  if (result.status !== "succeeded")
    return result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode ?? "unknown"}`;
  return null;
}
