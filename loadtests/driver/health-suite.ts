import { type ProbeResult, probeHttp } from "@opsc/probes";
import { createOpsClient } from "@opsc/sdk";
import { getFreePort, type StartedProcess, startProcess } from "@opsc/testing";
import { createAdmin } from "./admin.ts";
import type { Measurement, Suite } from "./suites.ts";

const LISTENERS = 4;
/** The system worker's default HEALTH_CONCURRENCY: the baseline probes as many at once. */
const PROBE_CONCURRENCY = 200;
/** Short, so that a sweep picks the targets up soon after they become due: it bounds the measured pick-up delay. */
const SWEEP_INTERVAL_MS = 100;

/** A deployment with the system worker, sweeping often. */
export const HEALTH_DEPLOYMENT = {
  workers: true,
  workerEnv: { HEALTH_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS) },
};

export interface HealthContext {
  sql: InstanceType<typeof Bun.SQL>;
  listeners: StartedProcess;
  ports: number[];
  /** The SQL `like` pattern of the benchmark's target names. */
  names: string;
  count: number;
}

/** Runs `work` over `items` with at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Loopback HTTP listeners in a process of their own: the health checks' targets. */
export async function startHealthListeners(): Promise<{ listeners: StartedProcess; ports: number[] }> {
  const ports = await Promise.all(Array.from({ length: LISTENERS }, () => getFreePort()));
  const listeners = await startProcess({
    cmd: [process.execPath, `${import.meta.dir}/http-listeners.ts`],
    env: { LISTEN_PORTS: ports.join(",") },
    readyUrl: `http://127.0.0.1:${ports.at(-1)}/`,
  });
  return { listeners, ports };
}

/** One CSV row of an HTTP target on one of the loopback listeners. */
export function listenerTargetRow(name: string, index: number, ports: number[], tags: string): string {
  return `${name},127.0.0.1,${ports[index % ports.length]},http,${tags},,true,false,http,/,`;
}
export const TARGET_CSV_HEADER =
  "name,address,port,kind,tags,description,enabled,maintenance,http_scheme,http_path,http_expect_status";

/**
 * Waits until every benchmark target was checked since `since`; the first sweep after an import doubles as the
 * warm-up. Afterwards the targets are not due for an hour, so request scenarios run without a sweep beside them.
 */
export async function settleHealth(context: HealthContext, since: Date): Promise<void> {
  const result = await waitForSweep(context, since);
  if (result.errors > 0)
    throw new Error(`${result.errors} of ${context.count} targets were not checked as up`);
  await context.sql`
    update targets.targets set health_interval_seconds = 3600 where name like ${context.names}
  `;
}

async function waitForSweep(
  { sql, names, count }: HealthContext,
  since: Date,
): Promise<{ items: number; errors: number }> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const [row] = (await sql`
      select count(*) filter (where health_checked_at >= ${since})::int as checked,
             count(*) filter (where health_checked_at >= ${since} and health_status <> 'up')::int as failed
      from targets.targets where name like ${names}
    `) as { checked: number; failed: number }[];
    if (row!.checked >= count) return { items: count, errors: row!.failed };
    if (Date.now() > deadline) return { items: count, errors: count - row!.checked };
    await Bun.sleep(10);
  }
}

/**
 * The health sweep measured against its baseline. The baseline is the raw probe loop, `probeHttp` over the same
 * targets with the worker's concurrency, without streams or the API; the measurement is a whole sweep by the system
 * worker process: claim through the targets API, batches on the Redis stream, probes, results recorded in
 * PostgreSQL. A round starts by marking every target due (SQL, like a clock reaching their interval) and ends when
 * all of them have a new result; it includes up to one sweep interval (100 ms) of pick-up delay.
 */
export function sweepMeasurements<Context extends HealthContext>(count: number): Measurement<Context>[] {
  return [
    {
      name: `baseline: probeHttp loop, ${count} targets, ${PROBE_CONCURRENCY} at a time`,
      async run({ ports }) {
        const indexes = Array.from({ length: count }, (_, index) => index);
        const results: ProbeResult[] = [];
        await eachLimited(indexes, PROBE_CONCURRENCY, async (index) => {
          results.push(
            await probeHttp({
              host: "127.0.0.1",
              port: ports[index % ports.length]!,
              scheme: "http",
              path: "/",
              insecureTls: false,
              timeoutMs: 5_000,
              credential: null,
            }),
          );
        });
        return { items: count, errors: results.filter((result) => !result.ok).length };
      },
    },
    {
      name: `sweep ${count} targets: system worker, stream, targets API`,
      async run(context) {
        const startedAt = new Date();
        await context.sql`
          update targets.targets set health_checked_at = null, health_claimed_until = null
          where name like ${context.names}
        `;
        return waitForSweep(context, startedAt);
      },
    },
  ];
}

const TARGETS = Number(process.env.BENCH_TARGETS ?? 1000);

/** Health checks alone, at 1,000 HTTP targets (four loopback listeners); `targets` runs the same at 10,000. */
export const health: Suite<HealthContext> = {
  deployment: HEALTH_DEPLOYMENT,
  async setup(url, setupToken, deployment) {
    const { listeners, ports } = await startHealthListeners();
    const ops = createOpsClient({ baseUrl: url, token: await createAdmin(url, setupToken) });
    const rows = [TARGET_CSV_HEADER];
    for (let index = 0; index < TARGETS; index++) {
      rows.push(listenerTargetRow(`bench-${String(index).padStart(5, "0")}`, index, ports, "suite=bench"));
    }
    const since = new Date();
    const imported = await ops.targets.import.mutate({
      format: "csv",
      content: rows.join("\n"),
      dryRun: false,
    });
    if (!imported.applied) throw new Error(`import failed: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    const context = {
      sql: new Bun.SQL(deployment.database.url),
      listeners,
      ports,
      names: "bench-%",
      count: TARGETS,
    };
    await settleHealth(context, since);
    return context;
  },
  async teardown({ sql, listeners }) {
    await sql.close();
    await listeners.stop();
  },
  measurements: sweepMeasurements(TARGETS),
};
