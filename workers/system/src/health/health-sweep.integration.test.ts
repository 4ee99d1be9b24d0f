/**
 * A sweep at scale: 1,000 HTTP targets imported through the targets API, checked by the system worker of the
 * distributed deployment. Asserts only that every target got exactly one result; how fast is `bun run bench health`.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { OpsClient } from "@opsc/sdk";
import { type Deployment, startDeployment } from "@opsc/testing";
import { countChecks, signInAdmin, waitFor } from "../test-support/deployment.ts";

const TARGETS = 1_000;
let deployment: Deployment;
let admin: OpsClient;
const listeners: ReturnType<typeof Bun.serve>[] = [];

beforeAll(async () => {
  deployment = await startDeployment({ workers: true, workerEnv: { HEALTH_SWEEP_INTERVAL_MS: "300" } });
  admin = await signInAdmin(deployment);
  for (let index = 0; index < 4; index++) {
    listeners.push(Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") }));
  }
}, 120_000);

afterAll(async () => {
  for (const server of listeners) await server.stop(true);
  await deployment?.stop();
}, 60_000);

async function listIds(tag: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await admin.targets.list.query({ tag: [tag], limit: 500, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((target) => target.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

test("one sweep checks 1,000 imported HTTP targets, each exactly once", async () => {
  const rows = ["name,address,port,kind,tags,description,enabled"];
  for (let index = 0; index < TARGETS; index++) {
    const port = listeners[index % listeners.length]!.port;
    // Imported disabled: the import format has no HTTP options (scheme https by default), so the targets are
    // pointed at plain HTTP first and enabled together below.
    rows.push(`sweep-${String(index).padStart(4, "0")},127.0.0.1,${port},http,suite=sweep,,false`);
  }
  const imported = await admin.targets.import.mutate({
    format: "csv",
    content: rows.join("\n"),
    dryRun: false,
  });
  expect(imported.applied).toBe(true);
  expect(imported.create).toHaveLength(TARGETS);

  const ids = await listIds("suite=sweep");
  expect(ids).toHaveLength(TARGETS);
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let id = queue.pop(); id; id = queue.pop()) {
        await admin.targets.update.mutate({
          id,
          data: { http: { scheme: "http", path: "/" }, healthIntervalSeconds: 3600 },
        });
      }
    }),
  );
  const enabled = await admin.targets.bulk.mutate({ selector: "suite=sweep", action: "enable" });
  expect(enabled.affected).toBe(TARGETS);

  await waitFor(
    "every target to have a result",
    async () =>
      (await admin.targets.list.query({ tag: ["suite=sweep"], health: "unknown", limit: 1 })).total === 0,
    { timeoutMs: 50_000, intervalMs: 200 },
  );
  const checks = await countChecks(deployment, ids);
  expect(ids.filter((id) => checks.get(id) !== 1)).toEqual([]);
}, 120_000);
