/**
 * `bun run bench e2e`: the execution path end to end on this machine: the services as processes behind Caddy, one
 * execution worker process, PostgreSQL and Redis, all on the same two cores as the driver.
 *
 * - Throughput: one run over 10,000 no-op targets (`BENCH_E2E_TARGETS`), timed from the `runs.start` call until the
 *   run's final state is readable through the API, i.e. every task's result persisted. The baseline is the floor any
 *   Redis-streams queue sits on: the same number of task-sized messages through raw pipelined XADD, XREADGROUP and
 *   XACK + XDEL from this process, with no service, database or worker in the way.
 * - Latency: runs of 100 no-op targets started 10 a second for 10 s (1,000 tasks/s); per task, the dispatch
 *   latency from the moment its message was put on the stream to the moment the worker started it (both recorded by
 *   the processes on this machine's clock), and, as a second pair of numbers, from the run's creation (the start
 *   transaction) to the task's start: what an API caller sees. p50/p99 over every task of a round.
 */
import { createOpsClient, type OpsClient } from "@opsc/sdk";
import { randomSuffix } from "@opsc/testing";
import Redis from "ioredis";
import { createAdmin } from "./admin.ts";
import { percentile } from "./measure.ts";
import type { Suite } from "./suites.ts";

const TARGETS = Number(process.env.BENCH_E2E_TARGETS ?? 10_000);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
/** 1,000 tasks/s as runs of LATENCY_RUN_SIZE targets: 10 × 100 by default (bursts of 100), or e.g. 100 × 10. */
const LATENCY_RUN_SIZE = Number(process.env.BENCH_LATENCY_RUN_SIZE ?? 100);
const LATENCY_RUNS_PER_SECOND = Math.round(1_000 / LATENCY_RUN_SIZE);
const WORKER_CONCURRENCY = 500;

interface E2eContext {
  ops: OpsClient;
  sql: InstanceType<typeof Bun.SQL>;
  redisUrl: string;
}

async function waitForRun(ops: OpsClient, id: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await ops.execution.runs.get.query({ id });
    if (run.state === "succeeded" || run.state === "failed" || run.state === "cancelled") return run;
    if (Date.now() > deadline) return run;
    await Bun.sleep(10);
  }
}

/** A task message's size on the wire, for the baseline's payload. */
const SAMPLE_PAYLOAD = JSON.stringify({
  runId: crypto.randomUUID(),
  taskId: crypto.randomUUID(),
  attempt: 1,
  target: {
    id: crypto.randomUUID(),
    name: "host-00000",
    address: "127.0.0.1",
    port: 9,
    kind: "http",
    http: { scheme: "http", path: "/", insecureTls: false },
    expectedHostKey: null,
    credential: null,
    sudoCredential: null,
  },
  action: { type: "noop", sleepMs: 0 },
  runOn: "target",
  env: {},
  sudo: false,
  timeoutMs: 3_600_000,
  exclusive: false,
});

export const e2e: Suite<E2eContext> = {
  deployment: {
    executionWorkers: 1,
    executionWorkerEnv: { EXECUTION_CONCURRENCY: String(WORKER_CONCURRENCY) },
  },
  async setup(url, setupToken, deployment) {
    const token = await createAdmin(url, setupToken);
    const admin = createOpsClient({ baseUrl: url, token });
    const rows = ["name,address,port,kind,tags,description,enabled"];
    for (let index = 0; index < TARGETS; index++)
      rows.push(`e2e-${String(index).padStart(5, "0")},127.0.0.1,9,http,suite=e2e,,true`);
    const imported = await admin.targets.import.mutate({
      format: "csv",
      content: rows.join("\n"),
      dryRun: false,
    });
    if (!imported.applied) throw new Error(`import failed: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    const { key } = await admin.users.me.apiKeys.create.mutate({ name: "bench-e2e", expiresInDays: 1 });
    return {
      ops: createOpsClient({ baseUrl: url, apiKey: key }),
      sql: new Bun.SQL(deployment.database.url),
      redisUrl: deployment.redis.url,
    };
  },
  async teardown({ sql }) {
    await sql.close();
  },
  measurements: [
    {
      name: `baseline: raw XADD/XREADGROUP/XACK of ${TARGETS} task-sized messages (no service, no worker)`,
      async run({ redisUrl }) {
        const redis = new Redis(redisUrl);
        const key = `opsc_bench_${randomSuffix()}`;
        try {
          await redis.xgroup("CREATE", key, "g", "0", "MKSTREAM");
          const started = performance.now();
          for (let start = 0; start < TARGETS; start += 1_000) {
            const pipeline = redis.pipeline();
            for (let index = start; index < Math.min(TARGETS, start + 1_000); index++)
              pipeline.xadd(key, "*", "payload", SAMPLE_PAYLOAD);
            await pipeline.exec();
          }
          let handled = 0;
          while (handled < TARGETS) {
            const reply = (await redis.xreadgroup("GROUP", "g", "c", "COUNT", 500, "STREAMS", key, ">")) as
              | [string, [string, string[]][]][]
              | null;
            const entries = reply?.[0]?.[1] ?? [];
            if (entries.length === 0) break;
            for (const [, fields] of entries) JSON.parse(fields[1]!);
            const ids = entries.map(([id]) => id);
            await redis
              .multi()
              .xack(key, "g", ...ids)
              .xdel(key, ...ids)
              .exec();
            handled += entries.length;
          }
          return { items: TARGETS, errors: TARGETS - handled, durationMs: performance.now() - started };
        } finally {
          await redis.del(key);
          redis.disconnect();
        }
      },
    },
    {
      name: `run over ${TARGETS} no-op targets: start call → every result persisted (1 worker, concurrency ${WORKER_CONCURRENCY})`,
      async run({ ops }) {
        const started = performance.now();
        const { run } = await ops.execution.runs.start.mutate({
          action: { type: "noop" },
          targets: { selector: "suite=e2e" },
        });
        const done = await waitForRun(ops, run.id, 300_000);
        return {
          items: TARGETS,
          errors: TARGETS - done.counts.succeeded,
          durationMs: performance.now() - started,
        };
      },
    },
    {
      name: `latency: enqueue → task start at ${LATENCY_RUN_SIZE * LATENCY_RUNS_PER_SECOND} tasks/s (${LATENCY_RUNS_PER_SECOND} runs/s × ${LATENCY_RUN_SIZE} targets, ${LATENCY_SECONDS} s)`,
      baseline: true,
      async run({ ops, sql }) {
        const ids = (
          (await sql`select id::text as id from targets.targets where name like 'e2e-%' order by name limit ${LATENCY_RUN_SIZE}`) as {
            id: string;
          }[]
        ).map((row) => row.id);
        const started = performance.now();
        const starts: Promise<string>[] = [];
        const total = LATENCY_SECONDS * LATENCY_RUNS_PER_SECOND;
        for (let index = 0; index < total; index++) {
          const due = started + (index * 1000) / LATENCY_RUNS_PER_SECOND;
          const wait = due - performance.now();
          if (wait > 0) await Bun.sleep(wait);
          starts.push(
            ops.execution.runs.start
              .mutate({ action: { type: "noop" }, targets: { ids } })
              .then((result) => result.run.id),
          );
        }
        const runIds = await Promise.all(starts);
        let errors = 0;
        for (const id of runIds) {
          const done = await waitForRun(ops, id, 120_000);
          errors += LATENCY_RUN_SIZE - done.counts.succeeded;
        }
        const durationMs = performance.now() - started;
        const rows = (await sql`
          select extract(epoch from (t.started_at - t.enqueued_at)) * 1000 as dispatch,
                 extract(epoch from (t.started_at - r.created_at)) * 1000 as api
          from execution.tasks t join execution.runs r on r.id = t.run_id
          where r.id = any(${runIds}::uuid[])
        `) as { dispatch: number; api: number }[];
        const sorted = (values: number[]) => values.sort((a, b) => a - b);
        const dispatch = sorted(rows.map((row) => Number(row.dispatch)));
        const api = sorted(rows.map((row) => Number(row.api)));
        const ms = (value: number) => Math.round(value * 100) / 100;
        return {
          items: total * LATENCY_RUN_SIZE,
          errors,
          durationMs,
          extra: {
            dispatchP50Ms: ms(percentile(dispatch, 0.5)),
            dispatchP99Ms: ms(percentile(dispatch, 0.99)),
            startToTaskP50Ms: ms(percentile(api, 0.5)),
            startToTaskP99Ms: ms(percentile(api, 0.99)),
          },
        };
      },
    },
  ],
};
