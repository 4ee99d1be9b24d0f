/**
 * `bun run bench steps`: the time a multi-step run takes from one step to the next on this machine: the services as
 * processes behind Caddy, one execution worker process, PostgreSQL and Redis, on the same two cores as the driver.
 *
 * - Measured: a 40-step sequential plan of no-op steps on one target (`BENCH_STEPS`), started through the execution
 *   service's internal `runs.startPlan` (what the jobs service calls). Per transition, the time from step N's end to
 *   step N+1's start as the worker recorded both (the report of step N goes to the service, which persists it,
 *   decides the next step and enqueues it; the worker picks it up); p50 / p99 / max over the run's transitions, and
 *   the run's wall time per step from the start call to its final state.
 * - Baseline: the floor any Redis-streams step hand-off sits on: the same number of round trips through two streams
 *   with consumer groups (a task message to a "worker", a report back to a "service"), blocking reads, from this
 *   process, with no database, decision or executor in the way.
 */
import type { TStartPlanRunRequest } from "@opsc/contracts/execution/plan";
import type { ExecutionInternalRouter } from "@opsc/execution/internal";
import { createOpsClient } from "@opsc/sdk";
import { createInternalClient } from "@opsc/server-kit";
import { randomSuffix } from "@opsc/testing";
import Redis from "ioredis";
import { createAdmin } from "./admin.ts";
import { percentile } from "./measure.ts";
import type { Suite } from "./suites.ts";

const STEPS = Number(process.env.BENCH_STEPS ?? 40);

interface StepsContext {
  startPlan: (body: TStartPlanRunRequest) => Promise<{ runId: string }>;
  sql: InstanceType<typeof Bun.SQL>;
  redisUrl: string;
  targetId: string;
}

const round = (value: number) => Math.round(value * 100) / 100;

export const steps: Suite<StepsContext> = {
  rounds: 10,
  deployment: { executionWorkers: 1 },
  async setup(url, setupToken, deployment) {
    const token = await createAdmin(url, setupToken);
    const admin = createOpsClient({ baseUrl: url, token });
    const target = await admin.targets.create.mutate({
      name: "steps-target",
      address: "127.0.0.1",
      port: 9,
      kind: "http",
    });
    const internal = createInternalClient<ExecutionInternalRouter>({
      baseUrl: `http://127.0.0.1:${deployment.ports.execution}`,
      name: "execution",
      token: deployment.internalToken,
    })({ requestId: "bench-steps", sourceIp: null, caller: null, headers: new Headers() });
    return {
      targetId: target.id,
      sql: new Bun.SQL(deployment.database.url),
      redisUrl: deployment.redis.url,
      startPlan: async (body) => {
        const started = await internal.runs.startPlan.mutate(body);
        return { runId: started.runId! };
      },
    };
  },
  async teardown({ sql }) {
    await sql.close();
  },
  measurements: [
    {
      name: `baseline: ${STEPS} hand-offs through two Redis streams (task out, report back; no service, no database)`,
      async run({ redisUrl }) {
        const service = new Redis(redisUrl);
        const worker = new Redis(redisUrl);
        const tasks = `opsc_bench_tasks_${randomSuffix()}`;
        const reports = `opsc_bench_reports_${randomSuffix()}`;
        try {
          await service.xgroup("CREATE", tasks, "workers", "0", "MKSTREAM");
          await service.xgroup("CREATE", reports, "service", "0", "MKSTREAM");
          const hops: number[] = [];
          const started = performance.now();
          for (let step = 0; step < STEPS; step++) {
            const sent = performance.now();
            const waiting = worker.xreadgroup(
              "GROUP",
              "workers",
              "w",
              "COUNT",
              1,
              "BLOCK",
              5000,
              "STREAMS",
              tasks,
              ">",
            );
            await service.xadd(tasks, "*", "step", String(step));
            const task = (await waiting) as [string, [string, string[]][]][] | null;
            const id = task?.[0]?.[1]?.[0]?.[0];
            if (!id) throw new Error("the task message did not arrive");
            const back = service.xreadgroup(
              "GROUP",
              "service",
              "s",
              "COUNT",
              1,
              "BLOCK",
              5000,
              "STREAMS",
              reports,
              ">",
            );
            await worker.multi().xack(tasks, "workers", id).xadd(reports, "*", "done", String(step)).exec();
            const report = (await back) as [string, [string, string[]][]][] | null;
            const reportId = report?.[0]?.[1]?.[0]?.[0];
            if (!reportId) throw new Error("the report did not arrive");
            await service.xack(reports, "service", reportId);
            hops.push(performance.now() - sent);
          }
          const sorted = hops.sort((a, b) => a - b);
          return {
            items: STEPS,
            errors: 0,
            durationMs: performance.now() - started,
            extra: {
              "transition p50 ms": round(percentile(sorted, 0.5)),
              "transition p99 ms": round(percentile(sorted, 0.99)),
            },
          };
        } finally {
          await service.del(tasks, reports);
          service.disconnect();
          worker.disconnect();
        }
      },
    },
    {
      name: `a ${STEPS}-step sequential job of no-op steps on one target: step end → next step start`,
      async run({ startPlan, sql, targetId }) {
        const steps = Array.from({ length: STEPS }, (_, index) => ({
          key: `s${index}`,
          name: `step ${index}`,
          action: { type: "noop" as const },
        }));
        const started = performance.now();
        const { runId } = await startPlan({
          name: "steps bench",
          job: { id: crypto.randomUUID(), name: "steps bench", version: 1 },
          plan: { steps, strategy: "target-first" },
          targets: { ids: [targetId] },
          createdBy: null,
        });
        const deadline = Date.now() + 120_000;
        let state = "queued";
        while (!["succeeded", "failed", "cancelled"].includes(state)) {
          if (Date.now() > deadline) throw new Error(`run ${runId} still ${state}`);
          await Bun.sleep(20);
          const [row] = await sql`select state from execution.runs where id = ${runId}`;
          state = row.state;
        }
        const wallMs = performance.now() - started;
        const tasks = (await sql`
          select state, extract(epoch from started_at) * 1000 as started, extract(epoch from finished_at) * 1000 as finished
          from execution.tasks where run_id = ${runId} order by step_index
        `) as { state: string; started: string; finished: string }[];
        const transitions: number[] = [];
        for (let index = 1; index < tasks.length; index++)
          transitions.push(Number(tasks[index]!.started) - Number(tasks[index - 1]!.finished));
        const sorted = transitions.sort((a, b) => a - b);
        return {
          items: transitions.length,
          errors: tasks.filter((task) => task.state !== "succeeded").length,
          durationMs: transitions.reduce((sum, value) => sum + value, 0),
          extra: {
            "transition p50 ms": round(percentile(sorted, 0.5)),
            "transition p99 ms": round(percentile(sorted, 0.99)),
            "transition max ms": round(sorted.at(-1) ?? Number.NaN),
            "wall ms per step": round(wallMs / STEPS),
          },
        };
      },
    },
  ],
};
