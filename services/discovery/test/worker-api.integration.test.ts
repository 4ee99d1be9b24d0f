/**
 * The internal router the system worker calls: scheduled starts (never twice for one slot, whoever asks),
 * taking a run over after a retry or a dead worker, and the reaper. No scan runs here: nothing is probed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "@opsc/logger";
import { createInternalClient } from "@opsc/server-kit";
import { streamKeys } from "@opsc/streams";
import { sql } from "kysely";
import { type SignedInUser, startSystem, type TestSystem } from "../../../tests/support/system.ts";
import { createDiscoveryModule } from "../../../workers/system/src/discovery/index.ts";
import type { SystemWorkerDeps } from "../../../workers/system/src/module.ts";
import type { DiscoveryInternalRouter } from "../src/internal/router.ts";

let system: TestSystem;
let operator: SignedInUser;
let internal: ReturnType<ReturnType<typeof createInternalClient<DiscoveryInternalRouter>>>;
const progress = { addressesTotal: 6, addressesDone: 1, probesTotal: 6, probesDone: 1, hostsFound: 0 };

beforeAll(async () => {
  system = await startSystem();
  operator = await system.createUser("operator");
  internal = createInternalClient<DiscoveryInternalRouter>({
    baseUrl: "http://localhost",
    name: "discovery",
    token: system.internalToken,
    fetch: (input, init) => system.discoveryApp.handle(new Request(input, init)),
  })({ requestId: "worker-api-test", sourceIp: null, caller: null, headers: new Headers() });
  await system.admin.client.discovery.ranges.create.mutate({ cidr: "127.1.6.0/24" });
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

async function scheduledScan(name: string, ranges = ["127.1.6.0/29"]) {
  const scan = await operator.client.discovery.scans.create.mutate({
    name,
    ranges,
    ports: [22],
    schedule: { cron: "*/5 * * * *", timeZone: "Europe/Berlin" },
  });
  return scan;
}

/** Pretends the scan's slot came a minute ago. */
async function makeDue(scanId: string) {
  await system.discoveryDb
    .updateTable("scans")
    .set({ next_run_at: sql<Date>`now() - interval '1 minute'` })
    .where("id", "=", scanId)
    .execute();
}

async function streamLength() {
  return system.redis.redis.xlen(streamKeys(system.redis.prefix, "discovery").stream);
}

describe("scheduled scans", () => {
  test("a due slot starts one run, however many workers ask at once; the next slot is recorded", async () => {
    const scan = await scheduledScan("every five");
    expect(new Date(scan.nextRunAt!).getTime()).toBeGreaterThan(Date.now());
    await makeDue(scan.id);
    const before = await streamLength();
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => internal.schedules.startDue.mutate({ limit: 10 })),
    );
    const started = answers.flatMap((answer) => answer.started);
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ scanId: scan.id });
    expect(await streamLength()).toBe(before + 1);
    const runs = await operator.client.discovery.runs.list.query({ scanId: scan.id });
    expect(runs.items).toMatchObject([{ trigger: "schedule", status: "queued", requestedBy: null }]);
    const after = await operator.client.discovery.scans.get.query({ id: scan.id });
    const next = new Date(after.nextRunAt!).getTime();
    expect(next).toBeGreaterThan(Date.now());
    expect(next - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(new Date(after.nextRunAt!).getUTCMinutes() % 5).toBe(0);
    expect((await internal.schedules.startDue.mutate({ limit: 10 })).started).toEqual([]);

    // Due again while that run is still queued: the slot is skipped, not piled up.
    await makeDue(scan.id);
    expect(await internal.schedules.startDue.mutate({ limit: 10 })).toEqual({ started: [], skipped: 1 });
    expect((await operator.client.discovery.runs.list.query({ scanId: scan.id })).total).toBe(1);
    await operator.client.discovery.runs.cancel.mutate({ id: runs.items[0]!.id });
  });

  test("the module's leader task starts due scans", async () => {
    const scan = await scheduledScan("leader started");
    await makeDue(scan.id);
    const module = createDiscoveryModule({
      fetch: (input, init) => system.discoveryApp.handle(new Request(input, init)),
    });
    // The leader task reads only these of the worker's deps.
    const deps = {
      serviceUrls: { discovery: "http://localhost" },
      internalToken: system.internalToken,
      log: createLogger({ service: "test", level: "silent" }),
    } as unknown as SystemWorkerDeps;
    const task = module.leaderTasks!.find((candidate) => candidate.name === "discovery.schedules")!;
    await task.run(deps, new AbortController().signal);
    const runs = await operator.client.discovery.runs.list.query({ scanId: scan.id });
    expect(runs.items).toMatchObject([{ trigger: "schedule", status: "queued" }]);
    await operator.client.discovery.runs.cancel.mutate({ id: runs.items[0]!.id });
  });

  test("a slot whose ranges are no longer allowed is recorded as a refused, failed run", async () => {
    const range = await system.admin.client.discovery.ranges.create.mutate({ cidr: "127.7.0.0/24" });
    const scan = await scheduledScan("shrunk", ["127.7.0.0/30"]);
    await system.admin.client.discovery.ranges.delete.mutate({ id: range.id });
    await makeDue(scan.id);
    expect((await internal.schedules.startDue.mutate({ limit: 10 })).started).toEqual([]);
    const runs = await operator.client.discovery.runs.list.query({ scanId: scan.id });
    expect(runs.items).toMatchObject([
      { status: "failed", error: "Refused: 127.7.0.0/30 is not inside an allowed range" },
    ]);
  });
});

describe("run ownership", () => {
  test("one message runs a run; its retry may take it over, a duplicate may not until the run goes silent", async () => {
    const scan = await operator.client.discovery.scans.create.mutate({
      name: "owned",
      ranges: ["127.1.6.0/29"],
      ports: [22],
    });
    const run = await operator.client.discovery.scans.run.mutate({ id: scan.id });
    const first = await internal.runs.start.mutate({ runId: run.id, messageId: "message-a" });
    expect(first).toMatchObject({
      proceed: true,
      status: "running",
      spec: { runId: run.id, ranges: ["127.1.6.0/29"], ports: [22], allowedRanges: ["127.1.6.0/24"] },
    });
    expect(await internal.runs.start.mutate({ runId: run.id, messageId: "message-b" })).toMatchObject({
      proceed: false,
      reason: "another worker is running it",
    });
    expect((await internal.runs.start.mutate({ runId: run.id, messageId: "message-a" })).proceed).toBe(true);
    expect(
      await internal.runs.report.mutate({ runId: run.id, messageId: "message-a", hosts: [], progress }),
    ).toEqual({ accepted: true, cancelRequested: false });

    // Silent for a minute: anyone may take over, and the old holder's reports are refused.
    await system.discoveryDb
      .updateTable("scan_runs")
      .set({ heartbeat_at: sql<Date>`now() - interval '1 minute'` })
      .where("id", "=", run.id)
      .execute();
    expect((await internal.runs.start.mutate({ runId: run.id, messageId: "message-b" })).proceed).toBe(true);
    expect(
      await internal.runs.report.mutate({ runId: run.id, messageId: "message-a", hosts: [], progress }),
    ).toEqual({ accepted: false, cancelRequested: false });
    const finished = await internal.runs.finish.mutate({
      runId: run.id,
      messageId: "message-b",
      outcome: "completed",
      error: null,
      progress: { ...progress, addressesDone: 6, probesDone: 6 },
    });
    expect(finished).toEqual({ status: "completed", newHosts: 0 });
    expect(await internal.runs.start.mutate({ runId: run.id, messageId: "message-c" })).toMatchObject({
      proceed: false,
      status: "completed",
    });
  });

  test("the reaper fails runs whose worker went silent and re-enqueues runs nobody started", async () => {
    const silent = await operator.client.discovery.scans.create.mutate({
      name: "silent",
      ranges: ["127.1.6.8/29"],
      ports: [22],
    });
    const silentRun = await operator.client.discovery.scans.run.mutate({ id: silent.id });
    await internal.runs.start.mutate({ runId: silentRun.id, messageId: "dead-worker" });
    await system.discoveryDb
      .updateTable("scan_runs")
      .set({ heartbeat_at: sql<Date>`now() - interval '20 minutes'` })
      .where("id", "=", silentRun.id)
      .execute();
    const forgotten = await operator.client.discovery.scans.create.mutate({
      name: "forgotten",
      ranges: ["127.1.6.16/29"],
      ports: [22],
    });
    const forgottenRun = await operator.client.discovery.scans.run.mutate({ id: forgotten.id });
    await system.discoveryDb
      .updateTable("scan_runs")
      .set({ enqueued_at: sql<Date>`now() - interval '20 minutes'` })
      .where("id", "=", forgottenRun.id)
      .execute();
    const before = await streamLength();
    const reaped = await internal.runs.reapStale.mutate({
      heartbeatTimeoutMs: 300_000,
      requeueAfterMs: 600_000,
    });
    expect(reaped).toEqual({ failed: 1, requeued: 1 });
    expect(await streamLength()).toBe(before + 1);
    expect(await operator.client.discovery.runs.get.query({ id: silentRun.id })).toMatchObject({
      status: "failed",
      error: "The worker running this scan stopped reporting",
    });
    expect((await operator.client.discovery.runs.get.query({ id: forgottenRun.id })).status).toBe("queued");
    // Re-enqueued just now: not again on the next pass.
    expect(
      await internal.runs.reapStale.mutate({ heartbeatTimeoutMs: 300_000, requeueAfterMs: 600_000 }),
    ).toEqual({
      failed: 0,
      requeued: 0,
    });
  });

  test("the internal router is not reachable without the internal token, nor through the gateway", async () => {
    const direct = await system.discoveryApp.handle(
      new Request("http://localhost/internal/trpc/discovery/schedules.startDue", {
        method: "POST",
        headers: { "content-type": "application/json", "x-opsc-internal-token": "wrong" },
        body: JSON.stringify({ limit: 1 }),
      }),
    );
    expect(direct.status).toBe(401);
    const viaGateway = await system.handle("http://localhost/internal/trpc/discovery/schedules.startDue", {
      method: "POST",
      headers: { authorization: `Bearer ${system.admin.token}` },
    });
    expect(viaGateway.status).toBe(404);
  });
});
