import { type ProbeResult, probeHttp } from "@opsc/probes";
import { createOpsClient } from "@opsc/sdk";
import { getFreePort, type StartedProcess, startProcess } from "@opsc/testing";
import { createAdmin } from "./admin.ts";
import type { Suite } from "./suites.ts";

const TARGETS = Number(process.env.BENCH_TARGETS ?? 1000);
const LISTENERS = 4;
/** The system worker's default HEALTH_CONCURRENCY: the baseline probes as many at once. */
const PROBE_CONCURRENCY = 200;
/** Short, so that a sweep picks the targets up soon after they become due: it bounds the measured pick-up delay. */
const SWEEP_INTERVAL_MS = 100;

interface HealthContext {
  sql: InstanceType<typeof Bun.SQL>;
  listeners: StartedProcess;
  ports: number[];
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

/**
 * Health checks at 1,000 HTTP targets (four loopback listeners in a process of their own). The baseline is the raw
 * probe loop, `probeHttp` over the same targets with the worker's concurrency, without streams or the API; the
 * measurement is a whole sweep by the system worker process: claim through the targets API, batches on the Redis
 * stream, probes, results recorded in PostgreSQL. A round starts by marking every target due (SQL, like a clock
 * reaching their interval) and ends when all of them have a new result; it includes up to one sweep interval
 * (100 ms) of pick-up delay.
 */
export const health: Suite<HealthContext> = {
  deployment: { workers: true, workerEnv: { HEALTH_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS) } },
  async setup(url, setupToken, deployment) {
    const ports = await Promise.all(Array.from({ length: LISTENERS }, () => getFreePort()));
    const listeners = await startProcess({
      cmd: [process.execPath, `${import.meta.dir}/http-listeners.ts`],
      env: { LISTEN_PORTS: ports.join(",") },
      readyUrl: `http://127.0.0.1:${ports.at(-1)}/`,
    });
    const ops = createOpsClient({ baseUrl: url, token: await createAdmin(url, setupToken) });
    const rows = ["name,address,port,kind,tags,description,enabled"];
    for (let index = 0; index < TARGETS; index++) {
      rows.push(
        `bench-${String(index).padStart(5, "0")},127.0.0.1,${ports[index % LISTENERS]},http,suite=bench,,false`,
      );
    }
    // Imported disabled: the import format has no HTTP options (https by default); each target is then pointed at
    // plain HTTP, and every round enables them all at once.
    const imported = await ops.targets.import.mutate({
      format: "csv",
      content: rows.join("\n"),
      dryRun: false,
    });
    if (!imported.applied) throw new Error(`import failed: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    const sql = new Bun.SQL(deployment.database.url);
    const ids = (
      (await sql`select id::text as id from targets.targets where name like 'bench-%'`) as { id: string }[]
    ).map((row) => row.id);
    await eachLimited(ids, 16, async (id) => {
      await ops.targets.update.mutate({
        id,
        data: { http: { scheme: "http", path: "/" }, healthIntervalSeconds: 3600 },
      });
    });
    return { sql, listeners, ports };
  },
  async teardown({ sql, listeners }) {
    await sql.close();
    await listeners.stop();
  },
  measurements: [
    {
      name: `baseline: probeHttp loop, ${TARGETS} targets, ${PROBE_CONCURRENCY} at a time`,
      async run({ ports }) {
        const indexes = Array.from({ length: TARGETS }, (_, index) => index);
        const results: ProbeResult[] = [];
        await eachLimited(indexes, PROBE_CONCURRENCY, async (index) => {
          results.push(
            await probeHttp({
              host: "127.0.0.1",
              port: ports[index % LISTENERS]!,
              scheme: "http",
              path: "/",
              insecureTls: false,
              timeoutMs: 5_000,
              credential: null,
            }),
          );
        });
        return { items: TARGETS, errors: results.filter((result) => !result.ok).length };
      },
    },
    {
      name: `sweep ${TARGETS} targets: system worker, stream, targets API`,
      async run({ sql }) {
        const startedAt = new Date();
        await sql`
          update targets.targets set enabled = true, health_checked_at = null, health_claimed_until = null
          where name like 'bench-%'
        `;
        const deadline = Date.now() + 120_000;
        for (;;) {
          const [row] = (await sql`
            select count(*) filter (where health_checked_at >= ${startedAt})::int as checked,
                   count(*) filter (where health_checked_at >= ${startedAt} and health_status <> 'up')::int as failed
            from targets.targets where name like 'bench-%'
          `) as { checked: number; failed: number }[];
          if (row!.checked >= TARGETS) return { items: TARGETS, errors: row!.failed };
          if (Date.now() > deadline) return { items: TARGETS, errors: TARGETS - row!.checked };
          await Bun.sleep(10);
        }
      },
    },
  ],
};
