import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { streamKey, type TDomainEvent } from "@opsc/contracts";
import { createInternalClient } from "@opsc/server-kit";
import { startSystem, type TestSystem } from "../../../tests/support/system.ts";
import type { TargetsInternalRouter } from "../src/internal/router.ts";

let system: TestSystem;
let internal: ReturnType<ReturnType<typeof createInternalClient<TargetsInternalRouter>>>;

beforeAll(async () => {
  system = await startSystem();
  internal = createInternalClient<TargetsInternalRouter>({
    baseUrl: "http://localhost",
    name: "targets",
    token: system.internalToken,
    fetch: (input, init) => system.targetsApp.handle(new Request(input, init)),
  })({ requestId: "health-test", sourceIp: null, caller: null, headers: new Headers() });
  const credential = await system.admin.client.targets.credentials.create.mutate({
    name: "health-pw",
    secret: { kind: "ssh_password", username: "ops", password: "pw-for-health" },
  });
  for (let index = 0; index < 5; index++) {
    await system.admin.client.targets.create.mutate({
      name: `node-${index}`,
      address: `127.0.0.${index + 10}`,
      kind: "ssh",
      credentialId: index === 0 ? credential.id : null,
      maintenance: index === 4,
      healthIntervalSeconds: 30,
    });
  }
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

describe("health sweep (internal API for the system worker)", () => {
  test("claims due targets once, with what a worker needs; credentials travel sealed", async () => {
    const first = await internal.health.claimDue.mutate({ limit: 100, leaseMs: 60_000 });
    // node-4 is in maintenance: not checked.
    expect(first.items.map((item) => item.address).sort()).toEqual([
      "127.0.0.10",
      "127.0.0.11",
      "127.0.0.12",
      "127.0.0.13",
    ]);
    const withCredential = first.items.find((item) => item.address === "127.0.0.10")!;
    expect(withCredential.credential).toMatchObject({ kind: "ssh_password", username: "ops" });
    expect(withCredential.credential?.sealed.startsWith("v1.")).toBe(true);
    expect(JSON.stringify(first)).not.toContain("pw-for-health");
    // Claimed targets are not handed out again while their lease runs.
    expect((await internal.health.claimDue.mutate({ limit: 100, leaseMs: 60_000 })).items).toHaveLength(0);
  });

  test("results update status and history, pin first-use host keys, and emit an event per change", async () => {
    const targets = (await system.admin.client.targets.list.query({ search: "node-" })).items;
    const byName = Object.fromEntries(targets.map((target) => [target.name, target]));
    const checkedAt = new Date().toISOString();
    const result = await internal.health.recordResults.mutate({
      results: [
        {
          targetId: byName["node-0"]!.id,
          status: "up",
          latencyMs: 12.4,
          error: null,
          checkedAt,
          observedHostKey: { algorithm: "ssh-ed25519", fingerprintSha256: "SHA256:first" },
        },
        {
          targetId: byName["node-1"]!.id,
          status: "down",
          latencyMs: null,
          error: "refused",
          checkedAt,
          observedHostKey: null,
        },
        {
          targetId: byName["node-2"]!.id,
          status: "unknown",
          latencyMs: null,
          error: null,
          checkedAt,
          observedHostKey: null,
        },
        {
          targetId: "00000000-0000-4000-8000-000000000000",
          status: "up",
          latencyMs: 1,
          error: null,
          checkedAt,
          observedHostKey: null,
        },
      ],
    });
    expect(result).toEqual({ recorded: 4, changed: 2 });
    const node0 = await system.admin.client.targets.get.query({ id: byName["node-0"]!.id });
    expect(node0).toMatchObject({
      health: { status: "up", latencyMs: 12, error: null },
      hostKey: { fingerprintSha256: "SHA256:first" },
    });
    expect(node0.health.changedAt).not.toBeNull();
    const history = await system.admin.client.targets.health.query({ id: byName["node-1"]!.id });
    expect(history.items).toEqual([
      { status: "down", latencyMs: null, error: "refused", checkedAt: expect.any(String) },
    ]);
    expect(
      (await system.admin.client.targets.list.query({ health: "down", search: "node-" })).items.map(
        (item) => item.name,
      ),
    ).toEqual(["node-1"]);

    // A later observation of another key does not re-pin; it is a mismatch event.
    await internal.health.recordResults.mutate({
      results: [
        {
          targetId: byName["node-0"]!.id,
          status: "down",
          latencyMs: 5,
          error: "host key mismatch",
          checkedAt: new Date().toISOString(),
          observedHostKey: { algorithm: "ssh-ed25519", fingerprintSha256: "SHA256:impostor" },
        },
      ],
    });
    expect(
      (await system.admin.client.targets.get.query({ id: byName["node-0"]!.id })).hostKey?.fingerprintSha256,
    ).toBe("SHA256:first");

    for (const relay of system.relays) await relay.drain();
    const events = (await system.redis.redis.xrange(streamKey(system.redis.prefix, "events"), "-", "+"))
      .filter(([, fields]) => fields[1] !== "audit.recorded")
      .map(([, fields]) => JSON.parse(fields[fields.indexOf("data") + 1]!) as TDomainEvent);
    const changes = events
      .filter((event) => event.type === "target.health.changed")
      .map((event) => [event.payload.name, event.payload.from, event.payload.to]);
    expect(changes).toEqual([
      ["node-0", "unknown", "up"],
      ["node-1", "unknown", "down"],
      ["node-0", "up", "down"],
    ]);
    expect(events.find((event) => event.type === "target.host_key.mismatch")?.payload).toMatchObject({
      name: "node-0",
      expected: "SHA256:first",
      observed: "SHA256:impostor",
    });
  });

  test("a target whose result came back is due again after its interval, not before", async () => {
    const due = await internal.health.claimDue.mutate({ limit: 100, leaseMs: 60_000 });
    expect(due.items).toHaveLength(0);
    await system.targetsDb
      .updateTable("targets")
      .set({ health_checked_at: new Date(Date.now() - 31_000) })
      .where("name", "=", "node-1")
      .execute();
    expect(
      (await internal.health.claimDue.mutate({ limit: 100, leaseMs: 60_000 })).items.map(
        (item) => item.address,
      ),
    ).toEqual(["127.0.0.11"]);
  });
});
