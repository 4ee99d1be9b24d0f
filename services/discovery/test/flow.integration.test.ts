/**
 * The whole discovery flow through the API, with the system worker's discovery module running the scans in a real
 * SystemWorker (consumer group, leader lease) in this process: allowed range → scan → run → results → diff →
 * import → targets → a second run after a listener closed. Every listener is on 127.1.5.0/29 (loopback), and the
 * only allowed range is that block, so no probe can leave the machine.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { streamKey, type TDomainEvent } from "@opsc/contracts";
import type { TScanRun } from "@opsc/contracts/discovery/runs";
import {
  closedPort,
  startHttpListener,
  startSilentListener,
  startSshLikeListener,
  type TestListener,
} from "@opsc/scanner/test-support";
import Redis from "ioredis";
import { rejection } from "../../../tests/support/errors.ts";
import { type SignedInUser, startSystem, type TestSystem } from "../../../tests/support/system.ts";
import { createDiscoveryModule } from "../../../workers/system/src/discovery/index.ts";
import { SystemWorker } from "../../../workers/system/src/worker.ts";

const SSH_BANNER = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3";
let system: TestSystem;
let operator: SignedInUser;
let worker: SystemWorker;
let ssh: TestListener;
let http: TestListener;
let closed: number;
let scanId: string;
let firstRun: TScanRun;
const listeners: TestListener[] = [];

async function waitForRun(id: string, statuses = ["completed", "failed", "cancelled"], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await operator.client.discovery.runs.get.query({ id });
    if (statuses.includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status} after ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
}

async function domainEvents(type: string): Promise<TDomainEvent[]> {
  for (const relay of system.relays) await relay.drain();
  const entries = (await system.redis.redis.xrange(streamKey(system.redis.prefix, "events"), "-", "+")) as [
    string,
    string[],
  ][];
  return entries
    .map(([, fields]) => JSON.parse(fields[fields.indexOf("data") + 1]!) as TDomainEvent)
    .filter((event) => event.type === type);
}

beforeAll(async () => {
  system = await startSystem();
  operator = await system.createUser("operator");
  ssh = startSshLikeListener("127.1.5.1", SSH_BANNER);
  http = startHttpListener("127.1.5.2", { title: "Fleet status", server: "nginx/1.22.1" });
  closed = closedPort("127.1.5.3");
  listeners.push(ssh, http);
  worker = new SystemWorker({
    // The worker closes its connection when it stops: it gets its own.
    redis: new Redis(system.redis.url, { maxRetriesPerRequest: 1 }),
    prefix: system.redis.prefix,
    vault: system.targetsDeps.vault,
    internalToken: system.internalToken,
    serviceUrls: { discovery: "http://localhost" },
    modules: [
      createDiscoveryModule({
        fetch: (input, init) => system.discoveryApp.handle(new Request(input, init)),
        reportIntervalMs: 100,
        reportBatchSize: 1,
        scheduleIntervalMs: 60_000,
        reapIntervalMs: 60_000,
      }),
    ],
    concurrency: 4,
    blockMs: 200,
    log: system.discoveryDeps.log,
  });
  await worker.start();
  await system.admin.client.discovery.ranges.create.mutate({ cidr: "127.1.5.0/29", description: "flow lab" });
}, 60_000);
afterAll(async () => {
  await worker?.stop({ timeoutMs: 1_000 });
  for (const listener of listeners) listener.stop();
  await system?.stop();
});

describe("discovery flow", () => {
  test("a run scans on the worker and stores what it found", async () => {
    const scan = await operator.client.discovery.scans.create.mutate({
      name: "flow lab",
      ranges: ["127.1.5.0/29"],
      ports: [ssh.port, http.port, closed],
      timeoutMs: 300,
      concurrency: 16,
    });
    scanId = scan.id;
    const queued = await operator.client.discovery.scans.run.mutate({ id: scanId });
    firstRun = await waitForRun(queued.id);
    expect(firstRun).toMatchObject({
      status: "completed",
      error: null,
      progress: { addressesTotal: 6, addressesDone: 6, probesTotal: 18, probesDone: 18, hostsFound: 2 },
    });
    expect(firstRun.startedAt).not.toBeNull();
    expect(firstRun.finishedAt).not.toBeNull();
    const results = await operator.client.discovery.results.list.query({ runId: firstRun.id });
    expect(results).toEqual({
      total: 2,
      items: [
        {
          address: "127.1.5.1",
          hostname: null,
          osHint: "debian",
          ports: [
            { port: ssh.port, service: "ssh", banner: SSH_BANNER, http: null, latencyMs: expect.any(Number) },
          ],
          importedTargetId: null,
        },
        {
          address: "127.1.5.2",
          hostname: null,
          osHint: null,
          ports: [
            {
              port: http.port,
              service: "http",
              banner: null,
              http: { status: 200, server: "nginx/1.22.1", title: "Fleet status", tls: false },
              latencyMs: expect.any(Number),
            },
          ],
          importedTargetId: null,
        },
      ],
    });
  });

  test("the same reads over REST", async () => {
    const headers = { authorization: `Bearer ${operator.token}` };
    const results = await system.handle(
      `http://localhost/api/v1/discovery/runs/${firstRun.id}/results?limit=1&offset=1`,
      { headers },
    );
    expect(results.status).toBe(200);
    expect(await results.json()).toMatchObject({ total: 2, items: [{ address: "127.1.5.2" }] });
    const diff = await system.handle(`http://localhost/api/v1/discovery/runs/${firstRun.id}/diff`, {
      headers,
    });
    expect(((await diff.json()) as { new: unknown[] }).new).toHaveLength(2);
    const runs = await system.handle(
      `http://localhost/api/v1/discovery/runs?scanId=${scanId}&status=completed`,
      {
        headers,
      },
    );
    expect(await runs.json()).toMatchObject({ total: 1, items: [{ id: firstRun.id }] });
    const badLimit = await system.handle(
      `http://localhost/api/v1/discovery/runs/${firstRun.id}/results?limit=0`,
      {
        headers,
      },
    );
    expect(badLimit.status).toBe(400);
    expect(((await badLimit.json()) as { error: { message: string } }).error.message).toContain("limit");
  });

  test("the run's new hosts are announced once, as a domain event", async () => {
    const events = await domainEvents("discovery.hosts.found");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      service: "discovery",
      payload: {
        runId: firstRun.id,
        scanId,
        scanName: "flow lab",
        count: 2,
        hosts: [
          { address: "127.1.5.1", ports: [ssh.port] },
          { address: "127.1.5.2", ports: [http.port] },
        ],
      },
    });
  });

  test("the diff shows both hosts as new, with the targets an import would create", async () => {
    const diff = await operator.client.discovery.results.diff.query({ runId: firstRun.id });
    expect(diff.previousRunId).toBeNull();
    expect(diff.changed).toEqual([]);
    expect(diff.known).toEqual([]);
    expect(diff.vanished).toEqual([]);
    expect(diff.new.map((entry) => entry.suggestion)).toEqual([
      {
        name: "host-127-1-5-1",
        kind: "ssh",
        port: ssh.port,
        tags: { discovered: "yes", service: "ssh", os: "debian" },
        http: null,
        description: `Discovered by scan "flow lab": ${ssh.port}/ssh (${SSH_BANNER})`,
      },
      {
        name: "host-127-1-5-2",
        kind: "http",
        port: http.port,
        tags: { discovered: "yes", service: "http" },
        http: { scheme: "http", path: "/" },
        description: `Discovered by scan "flow lab": ${http.port}/http (nginx/1.22.1, "Fleet status")`,
      },
    ]);
  });

  test("import creates the targets, audited as the importing user in both services", async () => {
    expect(
      await rejection(
        operator.client.discovery.results.import.mutate({
          runId: firstRun.id,
          hosts: [{ address: "127.1.5.6" }],
        }),
      ),
    ).toMatchObject({
      code: "BAD_REQUEST",
      fields: { "hosts.0.address": "Not among the hosts this run found" },
    });
    const imported = await operator.client.discovery.results.import.mutate({
      runId: firstRun.id,
      hosts: [{ address: "127.1.5.1", name: "lab-ssh" }, { address: "127.1.5.2" }],
    });
    expect(imported.items.map(({ address, name, kind }) => ({ address, name, kind }))).toEqual([
      { address: "127.1.5.1", name: "lab-ssh", kind: "ssh" },
      { address: "127.1.5.2", name: "host-127-1-5-2", kind: "http" },
    ]);
    const targets = await operator.client.targets.list.query({ tag: "discovered=yes" });
    expect(
      targets.items.map(({ name, address, port, kind, tags, http: options }) => ({
        name,
        address,
        port,
        kind,
        tags,
        http: options,
      })),
    ).toEqual([
      {
        name: "host-127-1-5-2",
        address: "127.1.5.2",
        port: http.port,
        kind: "http",
        tags: { discovered: "yes", service: "http" },
        http: { scheme: "http", path: "/", insecureTls: false },
      },
      {
        name: "lab-ssh",
        address: "127.1.5.1",
        port: ssh.port,
        kind: "ssh",
        tags: { discovered: "yes", service: "ssh", os: "debian" },
        http: null,
      },
    ]);
    const results = await operator.client.discovery.results.list.query({ runId: firstRun.id });
    expect(results.items.map((item) => item.importedTargetId)).toEqual(
      imported.items.map((item) => item.targetId),
    );

    const targetAudit = await system.targetsDb
      .selectFrom("audit_outbox")
      .select(["actor_id", "resource_id"])
      .where("action", "=", "target.imported_from_discovery")
      .execute();
    expect(targetAudit.map((row) => row.actor_id)).toEqual([operator.id, operator.id]);
    const discoveryAudit = await system.discoveryDb
      .selectFrom("audit_outbox")
      .select(["actor_id", "resource_id", "after"])
      .where("action", "=", "discovery.hosts.imported")
      .executeTakeFirstOrThrow();
    expect(discoveryAudit).toMatchObject({ actor_id: operator.id, resource_id: firstRun.id });

    // Importing a host that now has a target is a conflict naming it.
    expect(
      await rejection(
        operator.client.discovery.results.import.mutate({
          runId: firstRun.id,
          hosts: [{ address: "127.1.5.1" }],
        }),
      ),
    ).toMatchObject({
      code: "CONFLICT",
      fields: { "hosts.0.address": "Target lab-ssh already has this address" },
    });
  });

  test("a second run after a listener closed and a page changed: vanished and changed", async () => {
    ssh.stop();
    http.stop();
    const renamed = startHttpListener("127.1.5.2", {
      title: "Fleet status v2",
      server: "nginx/1.22.1",
      port: http.port,
    });
    listeners.push(renamed);
    const queued = await operator.client.discovery.scans.run.mutate({ id: scanId });
    const second = await waitForRun(queued.id);
    expect(second).toMatchObject({ status: "completed", progress: { hostsFound: 1 } });
    const diff = await operator.client.discovery.results.diff.query({ runId: second.id });
    expect(diff.previousRunId).toBe(firstRun.id);
    expect(diff.new).toEqual([]);
    expect(diff.known).toEqual([]);
    expect(diff.changed).toEqual([
      {
        host: expect.objectContaining({ address: "127.1.5.2" }),
        target: { id: expect.any(String), name: "host-127-1-5-2" },
        changes: [`port ${http.port} title: Fleet status → Fleet status v2`],
      },
    ]);
    expect(diff.vanished).toEqual([
      {
        address: "127.1.5.1",
        previous: expect.objectContaining({ address: "127.1.5.1", osHint: "debian" }),
        target: { id: expect.any(String), name: "lab-ssh" },
      },
    ]);
    // No new host this time: no new event.
    expect(await domainEvents("discovery.hosts.found")).toHaveLength(1);
  });

  test("cancelling a running run stops its worker; the run ends cancelled", async () => {
    const slow = [1, 2, 3, 4, 5, 6].map((index) => startSilentListener(`127.1.5.${index}`));
    listeners.push(...slow);
    const scan = await operator.client.discovery.scans.create.mutate({
      name: "slow lab",
      ranges: ["127.1.5.0/29"],
      ports: [...new Set(slow.map((listener) => listener.port))],
      timeoutMs: 1_000,
      concurrency: 1,
    });
    const queued = await operator.client.discovery.scans.run.mutate({ id: scan.id });
    await waitForRun(queued.id, ["running"]);
    const startedAt = Date.now();
    await operator.client.discovery.runs.cancel.mutate({ id: queued.id });
    const run = await waitForRun(queued.id);
    expect(run.status).toBe("cancelled");
    expect(run.progress.probesDone).toBeLessThan(run.progress.probesTotal);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    const actions = (
      await system.discoveryDb
        .selectFrom("audit_outbox")
        .select(["action", "actor_id"])
        .where("resource_id", "=", run.id)
        .execute()
    ).map((row) => `${row.action}:${row.actor_id ?? "system"}`);
    expect(actions).toEqual([
      `discovery.scan.run_requested:${operator.id}`,
      `discovery.run.cancel_requested:${operator.id}`,
      "discovery.run.cancelled:system",
    ]);
  });
});
