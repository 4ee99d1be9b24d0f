/**
 * `bun run bench runs`: the run history at a million runs. The runs (and one task each, on 100 targets) are written
 * straight into the execution schema with SQL, spread over a year, four states and ten users; then the list
 * requests a person or a tool makes go through the gateway, the execution service and PostgreSQL. The baseline is
 * the public `GET /api/v1/auth/setup` (gateway, a service and one query, no authentication).
 */
import { createOpsClient } from "@opsc/sdk";
import { createAdmin } from "./admin.ts";
import type { Suite } from "./suites.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 1_000_000);

interface RunsContext {
  apiKey: string;
  creator: string;
  targetId: string;
  deepCursor: string;
}

const get = (url: string, apiKey: string) => fetch(url, { headers: { "x-api-key": apiKey } });

export const runs: Suite<RunsContext> = {
  async setup(url, setupToken, deployment) {
    const token = await createAdmin(url, setupToken);
    const ops = createOpsClient({ baseUrl: url, token });
    const rows = ["name,address,port,kind,tags,description,enabled"];
    for (let index = 0; index < 100; index++) rows.push(`runs-${index},127.0.0.1,9,http,suite=runs,,true`);
    await ops.targets.import.mutate({ format: "csv", content: rows.join("\n"), dryRun: false });
    const sql = new Bun.SQL(deployment.database.url);
    try {
      const targets = (
        (await sql`select id::text as id from targets.targets where name like 'runs-%' order by name`) as {
          id: string;
        }[]
      ).map((row) => row.id);
      // One statement each; a year of history, newest last.
      await sql.unsafe(`
        insert into execution.runs (name, state, action, run_on, env, sudo, timeout_seconds, worker_group, exclusive,
          created_by, created_at, started_at, finished_at, total, queued, succeeded, failed)
        select 'bench run ' || i,
               (array['succeeded','succeeded','succeeded','failed'])[i % 4 + 1],
               '{"type":"noop","sleepMs":0}'::jsonb, 'target', '{}'::jsonb, false, 3600, 'default', false,
               'user-' || (i % 10),
               now() - make_interval(secs => (${RUNS} - i) * 31.5),
               now() - make_interval(secs => (${RUNS} - i) * 31.5),
               now() - make_interval(secs => (${RUNS} - i) * 31.5 - 1),
               1, 0, case when i % 4 = 3 then 0 else 1 end, case when i % 4 = 3 then 1 else 0 end
        from generate_series(1, ${RUNS}) as i
      `);
      await sql.unsafe(`
        insert into execution.tasks (run_id, run_created_at, seq, target_id, target_name, target_address, target, state,
          enqueued_at, started_at, finished_at)
        select r.id, r.created_at, 0, t.id, t.name, '127.0.0.1', '{}'::jsonb, case when r.state = 'failed' then 'failed' else 'succeeded' end,
               r.created_at, r.started_at, r.finished_at
        from (select id, state, created_at, started_at, finished_at, row_number() over () as n from execution.runs) r
        join (select id, name, row_number() over (order by name) - 1 as k from targets.targets where name like 'runs-%') t
          on t.k = r.n % 100
      `);
      await sql.unsafe("analyze execution.runs; analyze execution.tasks");
      const { key } = await ops.users.me.apiKeys.create.mutate({ name: "bench-runs", expiresInDays: 1 });
      const client = createOpsClient({ baseUrl: url, apiKey: key });
      // A cursor half-way down the history: keyset paging must cost there what it costs on the first page.
      const [middle] = (await sql`
        select created_at, id::text as id from execution.runs order by created_at desc, id desc offset ${Math.floor(RUNS / 2)} limit 1
      `) as { created_at: Date; id: string }[];
      const deepCursor = Buffer.from(`${new Date(middle!.created_at).toISOString()}|${middle!.id}`).toString(
        "base64url",
      );
      const first = await client.execution.runs.list.query({ limit: 50, cursor: deepCursor });
      if (first.items.length !== 50) throw new Error("the deep cursor returned no page");
      return { apiKey: key, creator: "user-3", targetId: targets[42]!, deepCursor };
    } finally {
      await sql.close();
    }
  },
  scenarios: [
    {
      name: "baseline: GET /api/v1/auth/setup (public)",
      request: (url) => fetch(`${url}/api/v1/auth/setup`),
    },
    {
      name: `REST runs list, newest 50 of ${RUNS}`,
      request: (url, { apiKey }) => get(`${url}/api/v1/execution/runs?limit=50`, apiKey),
    },
    {
      name: "REST runs list ?state=failed",
      request: (url, { apiKey }) => get(`${url}/api/v1/execution/runs?state=failed&limit=50`, apiKey),
    },
    {
      name: "REST runs list ?createdBy (one of 10 users)",
      request: (url, { apiKey, creator }) =>
        get(`${url}/api/v1/execution/runs?createdBy=${creator}&limit=50`, apiKey),
    },
    {
      name: "REST runs list, a page half-way down by cursor",
      request: (url, { apiKey, deepCursor }) =>
        get(`${url}/api/v1/execution/runs?limit=50&cursor=${deepCursor}`, apiKey),
    },
    {
      name: "REST runs list ?targetId (runs with a task on one of 100 targets)",
      request: (url, { apiKey, targetId }) =>
        get(`${url}/api/v1/execution/runs?targetId=${targetId}&limit=50`, apiKey),
    },
  ],
};
