import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { streamKeys } from "@opsc/streams";
import { rejection } from "../../../tests/support/errors.ts";
import { type SignedInUser, startSystem, type TestSystem } from "../../../tests/support/system.ts";

let system: TestSystem;
let operator: SignedInUser;
let viewer: SignedInUser;
const scans = () => operator.client.discovery.scans;

const definition = (name: string, overrides: Record<string, unknown> = {}) => ({
  name,
  ranges: ["127.1.2.0/29"],
  ports: [22, 80, 22],
  timeoutMs: 300,
  concurrency: 10,
  ...overrides,
});

beforeAll(async () => {
  system = await startSystem();
  operator = await system.createUser("operator");
  viewer = await system.createUser("viewer");
  await system.admin.client.discovery.ranges.create.mutate({ cidr: "127.1.2.0/24", description: "lab" });
  await system.admin.client.discovery.ranges.create.mutate({ cidr: "127.2.0.0/15" });
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

describe("scan definitions", () => {
  test("create fills defaults, dedupes ports and counts addresses", async () => {
    const scan = await scans().create.mutate(definition("lab"));
    expect(scan).toMatchObject({
      name: "lab",
      ranges: ["127.1.2.0/29"],
      ports: [22, 80],
      timeoutMs: 300,
      concurrency: 10,
      reverseDns: false,
      schedule: null,
      nextRunAt: null,
      addressCount: 6,
      lastRun: null,
      createdBy: operator.id,
    });
    expect((await viewer.client.discovery.scans.get.query({ id: scan.id })).name).toBe("lab");
    expect((await viewer.client.discovery.scans.list.query({ search: "la" })).total).toBe(1);
  });

  test("a range outside the allowed ones is refused with a 400 naming it", async () => {
    const failure = await rejection(
      scans().create.mutate(definition("outside", { ranges: ["127.1.2.0/29", "127.9.0.0/24"] })),
    );
    expect(failure).toMatchObject({
      code: "BAD_REQUEST",
      fields: { "ranges.1": "127.9.0.0/24 is not inside an allowed range" },
    });
    expect(failure.message).toBe("127.9.0.0/24 is not inside an allowed range");
    const response = await system.handle("http://localhost/api/v1/discovery/scans", {
      method: "POST",
      headers: { authorization: `Bearer ${operator.token}`, "content-type": "application/json" },
      body: JSON.stringify(definition("outside-rest", { ranges: ["10.0.0.0/8"] })),
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string; issues: { path: string[] }[] } };
    expect(error.message).toContain("10.0.0.0/8");
    expect(error.issues[0]!.path).toEqual(["ranges.0"]);
  });

  test("too many addresses, special-use blocks and bad pacing are 400s naming the field", async () => {
    expect(
      await rejection(scans().create.mutate(definition("huge", { ranges: ["127.2.0.0/15"] }))),
    ).toMatchObject({
      code: "BAD_REQUEST",
      fields: { ranges: expect.stringContaining("at most 65536") },
    });
    const cases: [Record<string, unknown>, string][] = [
      [{ ports: [] }, "ports"],
      [{ ports: [0] }, "ports.0"],
      [{ ports: Array.from({ length: 101 }, (_, index) => index + 1) }, "ports"],
      [{ concurrency: 1001 }, "concurrency"],
      [{ timeoutMs: 50 }, "timeoutMs"],
      [{ ranges: ["999.0.0.0/8"] }, "ranges.0"],
      [{ schedule: { cron: "not cron", timeZone: "UTC" } }, "schedule.cron"],
      [{ schedule: { cron: "* * * * *", timeZone: "UTC" } }, "schedule.cron"],
      [{ schedule: { cron: "0 3 * * *", timeZone: "Mars/Olympus" } }, "schedule.timeZone"],
    ];
    for (const [overrides, field] of cases) {
      const failure = await rejection(scans().create.mutate(definition(`bad-${field}`, overrides) as never));
      expect(failure.code, field).toBe("BAD_REQUEST");
      expect(Object.keys(failure.fields), field).toContain(field);
    }
  });

  test("a schedule gets its next slot in its time zone", async () => {
    const scan = await scans().create.mutate(
      definition("nightly", { schedule: { cron: "0 3 * * *", timeZone: "Europe/Berlin" } }),
    );
    const next = new Date(scan.nextRunAt!);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(25 * 3600_000);
    const berlinHour = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Berlin",
      hour: "2-digit",
    }).format(next);
    expect(berlinHour).toBe("03");
    const cleared = await scans().update.mutate({ id: scan.id, data: { schedule: null } });
    expect(cleared).toMatchObject({ schedule: null, nextRunAt: null });
  });

  test("names are unique regardless of case; updates re-check ranges", async () => {
    expect(await rejection(scans().create.mutate(definition("LAB")))).toMatchObject({
      code: "CONFLICT",
      fields: { name: "A scan with this name already exists" },
    });
    const scan = (await scans().list.query({ search: "lab" })).items[0]!;
    expect(
      await rejection(scans().update.mutate({ id: scan.id, data: { ranges: ["127.8.0.0/24"] } })),
    ).toMatchObject({ code: "BAD_REQUEST", fields: { "data.ranges.0": expect.any(String) } });
    const updated = await scans().update.mutate({
      id: scan.id,
      data: { ranges: ["127.1.2.0/30"], ports: [443] },
    });
    expect(updated).toMatchObject({ ranges: ["127.1.2.0/30"], ports: [443], addressCount: 2 });
  });

  test("run queues a discovery.scan job; a second run while one is active is a conflict", async () => {
    const scan = await scans().create.mutate(definition("queued-one"));
    const run = await scans().run.mutate({ id: scan.id });
    expect(run).toMatchObject({
      scanId: scan.id,
      scanName: "queued-one",
      status: "queued",
      trigger: "manual",
      ranges: ["127.1.2.0/29"],
      ports: [22, 80],
      progress: { addressesTotal: 6, probesTotal: 12, probesDone: 0, hostsFound: 0 },
      requestedBy: operator.id,
    });
    const stream = streamKeys(system.redis.prefix, "discovery").stream;
    const entries = (await system.redis.redis.xrange(stream, "-", "+")) as [string, string[]][];
    const payloads = entries.map(([, fields]) => fields[fields.indexOf("payload") + 1]);
    expect(payloads).toContain(JSON.stringify({ runId: run.id }));
    expect(await rejection(scans().run.mutate({ id: scan.id }))).toMatchObject({ code: "CONFLICT" });
    expect((await scans().get.query({ id: scan.id })).lastRun).toMatchObject({
      id: run.id,
      status: "queued",
    });
    // Deleting needs the run to be over.
    expect((await rejection(scans().delete.mutate({ id: scan.id }))).code).toBe("CONFLICT");
    const cancelled = await operator.client.discovery.runs.cancel.mutate({ id: run.id });
    expect(cancelled).toMatchObject({ status: "cancelled", cancelRequested: true });
    expect((await rejection(operator.client.discovery.runs.cancel.mutate({ id: run.id }))).code).toBe(
      "CONFLICT",
    );
    expect(await scans().delete.mutate({ id: scan.id })).toEqual({ success: true });
    expect((await rejection(operator.client.discovery.runs.get.query({ id: run.id }))).code).toBe(
      "NOT_FOUND",
    );
  });

  test("a run is refused when an admin has since removed the allowed range", async () => {
    const range = await system.admin.client.discovery.ranges.create.mutate({ cidr: "127.5.0.0/24" });
    const scan = await scans().create.mutate(definition("shrinking", { ranges: ["127.5.0.0/28"] }));
    await system.admin.client.discovery.ranges.delete.mutate({ id: range.id });
    expect(await rejection(scans().run.mutate({ id: scan.id }))).toMatchObject({
      code: "BAD_REQUEST",
      fields: { "ranges.0": "127.5.0.0/28 is not inside an allowed range" },
    });
    expect((await operator.client.discovery.runs.list.query({ scanId: scan.id })).total).toBe(0);
  });

  test("viewers read, they do not define or run", async () => {
    expect((await rejection(viewer.client.discovery.scans.create.mutate(definition("v")))).code).toBe(
      "FORBIDDEN",
    );
    const scan = (await viewer.client.discovery.scans.list.query({})).items[0]!;
    expect((await rejection(viewer.client.discovery.scans.run.mutate({ id: scan.id }))).code).toBe(
      "FORBIDDEN",
    );
  });

  test("mutations are audited with the operator as actor", async () => {
    const rows = await system.discoveryDb
      .selectFrom("audit_outbox")
      .select(["action", "actor_id"])
      .where("action", "like", "discovery.scan.%")
      .execute();
    const actions = new Set(rows.map((row) => row.action));
    for (const action of [
      "discovery.scan.created",
      "discovery.scan.updated",
      "discovery.scan.deleted",
      "discovery.scan.run_requested",
    ])
      expect(actions.has(action), action).toBe(true);
    expect(rows.every((row) => row.actor_id === operator.id)).toBe(true);
    const cancel = await system.discoveryDb
      .selectFrom("audit_outbox")
      .select(["action", "actor_id"])
      .where("action", "=", "discovery.run.cancelled")
      .executeTakeFirst();
    expect(cancel?.actor_id).toBe(operator.id);
  });
});
