/**
 * `bun run bench queue`: the queue core (@opsc/streams) against BullMQ on the same Redis, without the services.
 * Both sides are measured alike: this process enqueues, one consumer process per library (queue-worker.ts, started
 * once and kept warm across rounds) runs a no-op handler with concurrency 50, and a round takes its own key prefix,
 * which it deletes afterwards. Throughput: BENCH_TASKS (default 20,000) tasks enqueued in pipelined batches of
 * 1,000 while the consumer drains them, timed from the first enqueue until the consumer reports that every task
 * ran. Latency: tasks enqueued one at a time at a fixed 1,000 a second for 10 s (BENCH_LATENCY_SECONDS), from the
 * enqueue timestamp in the payload to the handler's start, on the same clock in both processes.
 * A round counts as errors every task that did not run, ran twice, or was left unsettled in Redis afterwards.
 */
import { join } from "node:path";
import { createProducer, queueDepth } from "@opsc/streams";
import { DEFAULT_TEST_REDIS_URL, deleteKeysWithPrefix, randomSuffix } from "@opsc/testing";
import { Queue } from "bullmq";
import Redis from "ioredis";
import loadtestsPackage from "../package.json";
import type { RoundOutcome } from "./measure.ts";
import {
  bullmqConnection,
  CONCURRENCY,
  catalog,
  epochNow,
  type FromWorker,
  GROUP,
  type Library,
  QUEUE,
  type TaskData,
  type ToWorker,
} from "./queue-worker.ts";
import type { Measurement, StandaloneSuite } from "./suites.ts";

const TASKS = Number(process.env.BENCH_TASKS ?? 20_000);
const BATCH = 1_000;
const ARRIVAL_RATE = 1_000;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const BULLMQ = `BullMQ ${loadtestsPackage.dependencies.bullmq}`;
/** Extra Bun flags for the consumer processes, e.g. `--cpu-prof --cpu-prof-dir=…` to profile them. */
const WORKER_FLAGS = (process.env.BENCH_QUEUE_WORKER_FLAGS ?? "").split(" ").filter(Boolean);

interface WorkerProcess {
  send(message: ToWorker): void;
  /** The next message of `type` and when it arrived (`performance.now()`), or null after `timeoutMs`. */
  receive<Type extends FromWorker["type"]>(
    type: Type,
    timeoutMs: number,
  ): Promise<{ message: Extract<FromWorker, { type: Type }>; receivedAt: number } | null>;
  exit(): Promise<void>;
}

function startWorkerProcess(library: Library, redisUrl: string): WorkerProcess {
  const inbox: { message: FromWorker; receivedAt: number }[] = [];
  let wake: (() => void) | null = null;
  const child = Bun.spawn({
    cmd: [process.execPath, ...WORKER_FLAGS, join(import.meta.dir, "queue-worker.ts"), library],
    env: { ...process.env, REDIS_URL: redisUrl },
    stdio: ["ignore", "inherit", "inherit"],
    serialization: "json",
    ipc(message: FromWorker) {
      inbox.push({ message, receivedAt: performance.now() });
      wake?.();
    },
  });
  void child.exited.then(() => wake?.());
  return {
    send: (message) => child.send(message),
    async receive(type, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const index = inbox.findIndex(({ message }) => message.type === type || message.type === "failed");
        if (index >= 0) {
          const [received] = inbox.splice(index, 1);
          if (received!.message.type === "failed")
            throw new Error(`${library} worker: ${received!.message.message}`);
          return received as { message: Extract<FromWorker, { type: typeof type }>; receivedAt: number };
        }
        if (child.exitCode !== null) throw new Error(`${library} worker exited with ${child.exitCode}`);
        const remainingMs = deadline - performance.now();
        if (remainingMs <= 0) return null;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remainingMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    },
    async exit() {
      if (child.exitCode !== null) return;
      child.send({ type: "exit" } satisfies ToWorker);
      const timer = setTimeout(() => child.kill(), 10_000);
      await child.exited;
      clearTimeout(timer);
    },
  };
}

interface QueueContext {
  redisUrl: string;
  /** For the checks after a round and deleting its keys. */
  redis: Redis;
  workers: Record<Library, WorkerProcess>;
}

/** One side of a round: the producer of `library` under `prefix`, and what is left in Redis afterwards. */
interface RoundProducer {
  /** Adds tasks `from` to `to` − 1, pipelined in one batch. */
  addBatch(from: number, to: number): Promise<unknown>;
  /** Adds one task. */
  add(index: number): Promise<unknown>;
  /** Tasks still in Redis after the consumer stopped (waiting, running, failed): none when all settled. */
  unsettled(): Promise<number>;
  close(): Promise<void>;
}

const taskData = (index: number): TaskData => ({ index, sentAt: epochNow() });

async function openProducer(library: Library, context: QueueContext, prefix: string): Promise<RoundProducer> {
  if (library === "bullmq") {
    const queue = new Queue<TaskData>(QUEUE, {
      connection: bullmqConnection(context.redisUrl),
      prefix,
      // The fair setting: BullMQ keeps every completed job (its hash and an entry in the completed set) unless told
      // not to, while our consumer deletes a stream entry once it is acknowledged.
      defaultJobOptions: { removeOnComplete: true },
    });
    await queue.waitUntilReady();
    return {
      addBatch: (from, to) =>
        queue.addBulk(
          Array.from({ length: to - from }, (_, offset) => ({ name: "noop", data: taskData(from + offset) })),
        ),
      add: (index) => queue.add("noop", taskData(index)),
      async unsettled() {
        const counts = await queue.getJobCounts();
        return Object.entries(counts).reduce(
          (sum, [state, count]) => sum + (state === "completed" ? 0 : count),
          0,
        );
      },
      close: () => queue.close(),
    };
  }
  const redis = new Redis(context.redisUrl);
  const producer = createProducer({ redis, prefix, catalog });
  return {
    addBatch: (from, to) =>
      producer.enqueueMany(
        "bench.noop",
        Array.from({ length: to - from }, (_, offset) => taskData(from + offset)),
      ),
    add: (index) => producer.enqueue("bench.noop", taskData(index)),
    async unsettled() {
      const depth = await queueDepth({ redis, prefix, stream: QUEUE, group: GROUP });
      return depth.waiting + depth.pending + depth.delayed + depth.deadLettered;
    },
    async close() {
      await redis.quit();
    },
  };
}

/**
 * One round: a fresh prefix, the consumer process started on it, `produce` timed until the consumer reports every
 * task handled, then the consumer stopped, the counts checked and the keys deleted.
 */
async function runRound(
  context: QueueContext,
  library: Library,
  options: { tasks: number; latency: boolean; timeoutMs: number },
  produce: (producer: RoundProducer) => Promise<number>,
): Promise<RoundOutcome> {
  const prefix = `opsc_bench_queue_${randomSuffix()}`;
  const worker = context.workers[library];
  const producer = await openProducer(library, context, prefix);
  try {
    worker.send({ type: "start", prefix, tasks: options.tasks, latency: options.latency });
    if (!(await worker.receive("ready", 30_000))) throw new Error(`${library} worker did not start`);
    const startedAt = performance.now();
    const failedEnqueues = await produce(producer);
    const handled = await worker.receive("handled", options.timeoutMs);
    const durationMs = (handled?.receivedAt ?? performance.now()) - startedAt;
    worker.send({ type: "stop" });
    const stopped = await worker.receive("stopped", 60_000);
    if (!stopped) throw new Error(`${library} worker did not stop`);
    const { distinct, handled: runs, latency } = stopped.message;
    const missing = options.tasks - distinct;
    const unsettled = await producer.unsettled();
    const errors = Math.max(missing, unsettled, failedEnqueues) + (runs - distinct);
    if (errors > 0)
      console.error(
        `${library}: ${missing} of ${options.tasks} tasks did not run, ${runs - distinct} ran twice, ` +
          `${unsettled} were left unsettled, ${failedEnqueues} enqueues failed`,
      );
    return { items: options.tasks, errors, durationMs, ...(latency ? { extra: { ...latency } } : {}) };
  } finally {
    await producer.close();
    await deleteKeysWithPrefix(context.redis, prefix);
  }
}

/** Throughput: every task enqueued in pipelined batches of {@link BATCH}, as fast as Redis takes them. */
function throughput(library: Library): Measurement<QueueContext>["run"] {
  return (context) =>
    runRound(context, library, { tasks: TASKS, latency: false, timeoutMs: 120_000 }, async (producer) => {
      for (let from = 0; from < TASKS; from += BATCH)
        await producer.addBatch(from, Math.min(TASKS, from + BATCH));
      return 0;
    });
}

/** Latency: one task every millisecond (task i due i ms after the start), each enqueued on its own. */
function latency(library: Library): Measurement<QueueContext>["run"] {
  const tasks = ARRIVAL_RATE * LATENCY_SECONDS;
  return (context) =>
    runRound(context, library, { tasks, latency: true, timeoutMs: 60_000 }, async (producer) => {
      let failed = 0;
      const enqueues: Promise<unknown>[] = [];
      const startedAt = performance.now();
      for (let index = 0; index < tasks; ) {
        const due = Math.min(tasks, Math.floor(((performance.now() - startedAt) * ARRIVAL_RATE) / 1000) + 1);
        for (; index < due; index++)
          enqueues.push(
            producer.add(index).catch(() => {
              failed++;
            }),
          );
        // At least a millisecond: shorter sleeps return at once, and the loop would spin on a core of its own.
        const nextDueMs = (index * 1000) / ARRIVAL_RATE - (performance.now() - startedAt);
        if (index < tasks) await Bun.sleep(Math.max(1, nextDueMs));
      }
      await Promise.all(enqueues);
      return failed;
    });
}

const shape = `${TASKS.toLocaleString("en")} no-op tasks, 1 consumer process, concurrency ${CONCURRENCY}`;
const arrival = `${ARRIVAL_RATE.toLocaleString("en")} tasks/s for ${LATENCY_SECONDS} s`;

export const queue: StandaloneSuite<QueueContext> = {
  deployment: false,
  async setup() {
    const redisUrl = process.env.TEST_REDIS_URL || DEFAULT_TEST_REDIS_URL;
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const workers = {
      bullmq: startWorkerProcess("bullmq", redisUrl),
      streams: startWorkerProcess("streams", redisUrl),
    };
    return { redisUrl, redis, workers };
  },
  async teardown({ redis, workers }) {
    await Promise.all([workers.bullmq.exit(), workers.streams.exit()]);
    await redis.quit();
  },
  measurements: [
    { name: `baseline: ${BULLMQ}, ${shape}`, run: throughput("bullmq") },
    { name: `@opsc/streams, ${shape}`, run: throughput("streams") },
    { name: `latency baseline: ${BULLMQ}, ${arrival}`, run: latency("bullmq"), baseline: true },
    { name: `latency: @opsc/streams, ${arrival}`, run: latency("streams") },
  ],
};
