/**
 * The health module in the distributed deployment: the real targets and auth services as processes behind
 * Caddy, system workers as processes (their real entry point), probing listeners and an sshd on loopback.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { OpsClient } from "@opsc/sdk";
import { streamKeys } from "@opsc/streams";
import { type Deployment, getFreePort, type StartedSshd, startDeployment, startSshd } from "@opsc/testing";
import {
  countChecks,
  readCounter,
  readDomainEvents,
  signInAdmin,
  waitFor,
} from "../test-support/deployment.ts";
import { SYSTEM_GROUP } from "../worker.ts";

let deployment: Deployment;
let admin: OpsClient;
let sshd: StartedSshd;
const listeners: ReturnType<typeof Bun.serve>[] = [];

/** An HTTP listener on 127.0.0.1 answering with `respond`. */
function listen(respond: (request: Request) => Response | Promise<Response>) {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: respond });
  listeners.push(server);
  return server;
}

beforeAll(async () => {
  [deployment, sshd] = await Promise.all([
    startDeployment({
      workers: true,
      workerEnv: {
        HEALTH_SWEEP_INTERVAL_MS: "300",
        HEALTH_TIMEOUT_MS: "3000",
        HEALTH_BATCH_SIZE: "10",
        // One batch at a time per worker, so that two workers visibly share a sweep's batches.
        WORKER_CONCURRENCY: "1",
      },
    }),
    startSshd(),
  ]);
  admin = await signInAdmin(deployment);
}, 120_000);

afterAll(async () => {
  for (const server of listeners) await server.stop(true);
  await sshd?.stop();
  await deployment?.stop();
}, 60_000);

/** Creates HTTP targets disabled, then enables them with one bulk call, so that one sweep claims them all. */
async function createHttpTargets(suite: string, count: number, port: number, path = "/") {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const target = await admin.targets.create.mutate({
      name: `${suite}-${index}`,
      address: "127.0.0.1",
      port,
      kind: "http",
      http: { scheme: "http", path },
      tags: { suite },
      enabled: false,
      healthIntervalSeconds: 3600,
    });
    ids.push(target.id);
  }
  await admin.targets.bulk.mutate({ selector: `suite=${suite}`, action: "enable" });
  return ids;
}

async function waitUntilChecked(ids: string[]) {
  return waitFor(`${ids.length} targets to be checked`, async () => {
    const targets = await Promise.all(ids.map((id) => admin.targets.get.query({ id })));
    return targets.every((target) => target.health.checkedAt !== null) ? targets : null;
  });
}

describe("health checks by the system worker", () => {
  test("probes HTTP and SSH targets: statuses, host key pinned on first use, history and change events", async () => {
    const ok = listen((request) =>
      new URL(request.url).pathname === "/missing" ? new Response("no", { status: 404 }) : new Response("ok"),
    );
    const failing = listen(() => new Response("unavailable", { status: 503 }));
    const closedPort = await getFreePort();
    const user = sshd.users[0]!;
    const wrongPassword = `wrong-${crypto.randomUUID()}`;
    const key = await admin.targets.credentials.create.mutate({
      name: "sshd-key",
      secret: { kind: "ssh_key", username: user.username, privateKey: user.privateKeyPem },
    });
    const badPassword = await admin.targets.credentials.create.mutate({
      name: "sshd-wrong-password",
      secret: { kind: "ssh_password", username: user.username, password: wrongPassword },
    });
    const http = (name: string, port: number, path = "/") => ({
      name,
      address: "127.0.0.1",
      port,
      kind: "http" as const,
      http: { scheme: "http" as const, path },
    });
    const ssh = (name: string, credentialId: string | null) => ({
      name,
      address: sshd.host,
      port: sshd.port,
      kind: "ssh" as const,
      credentialId,
    });
    const specs = [
      { ...http("web-ok", ok.port!), expected: "up" as const },
      { ...http("web-missing", ok.port!, "/missing"), expected: "degraded" as const },
      { ...http("web-503", failing.port!), expected: "down" as const },
      { ...http("web-closed", closedPort), expected: "down" as const },
      { ...ssh("ssh-key", key.id), expected: "up" as const },
      { ...ssh("ssh-wrong-password", badPassword.id), expected: "degraded" as const },
      { ...ssh("ssh-banner", null), expected: "up" as const },
    ];
    const created = [];
    for (const { expected, ...spec } of specs) {
      created.push(await admin.targets.create.mutate({ ...spec, healthIntervalSeconds: 3600 }));
    }

    const checked = await waitUntilChecked(created.map((target) => target.id));
    const byName = Object.fromEntries(checked.map((target) => [target.name, target]));
    expect(Object.fromEntries(checked.map((target) => [target.name, target.health.status]))).toEqual(
      Object.fromEntries(specs.map((spec) => [spec.name, spec.expected])),
    );
    expect(byName["web-503"]!.health.error).toContain("503");
    expect(byName["web-closed"]!.health.error).toStartWith("refused");
    expect(byName["ssh-wrong-password"]!.health.error).toStartWith("auth");
    // The key exchange happens before the login: both SSH targets with a credential pin the host's key.
    for (const name of ["ssh-key", "ssh-wrong-password"]) {
      expect(byName[name]!.hostKey?.fingerprintSha256).toBe(sshd.hostKeys.ed25519.fingerprintSha256);
    }
    // Without a credential only the banner is read: no key exchange, nothing to pin.
    expect(byName["ssh-banner"]!.hostKey).toBeNull();

    for (const target of checked) {
      const history = await admin.targets.health.query({ id: target.id });
      expect(history.items.map((item) => item.status)).toEqual([target.health.status]);
    }

    const changes = await waitFor("a health change event for every target", async () => {
      const events = (await readDomainEvents(deployment)).filter(
        (event) => event.type === "target.health.changed",
      );
      return events.length >= specs.length ? events : null;
    });
    expect(
      Object.fromEntries(
        changes.map((event) => [event.payload.name, [event.payload.from, event.payload.to]]),
      ),
    ).toEqual(Object.fromEntries(specs.map((spec) => [spec.name, ["unknown", spec.expected]])));

    // Secrets stay inside the worker: not in results, events or the worker's logs.
    const everything = JSON.stringify({ checked, changes }) + deployment.workers[0]!.output();
    expect(everything).not.toContain(wrongPassword);
    expect(everything).not.toContain("PRIVATE KEY");
  });

  test("two workers share a sweep's batches; no target is checked twice", async () => {
    const second = await deployment.startSystemWorker();
    const first = deployment.workers[0]!;
    const firstPort = first.port;
    const before = {
      first: await readCounter(firstPort, "opsc_health_probes_total"),
      second: await readCounter(second.port, "opsc_health_probes_total"),
    };
    // Each batch takes a moment, so an idle worker takes the next batch while the other probes.
    const slow = listen(async () => {
      await Bun.sleep(100);
      return new Response("ok");
    });
    const ids = await createHttpTargets("share", 60, slow.port!);
    const checked = await waitUntilChecked(ids);
    expect(checked.every((target) => target.health.status === "up")).toBe(true);

    const probed = {
      first: (await readCounter(firstPort, "opsc_health_probes_total")) - before.first,
      second: (await readCounter(second.port, "opsc_health_probes_total")) - before.second,
    };
    expect(probed.first + probed.second).toBe(60);
    expect(probed.first).toBeGreaterThan(0);
    expect(probed.second).toBeGreaterThan(0);

    // Let the leader sweep a few more times: nothing is handed out again within the targets' interval.
    const sweeps = async () =>
      (await readCounter(firstPort, "opsc_health_sweep_duration_seconds_count")) +
      (await readCounter(second.port, "opsc_health_sweep_duration_seconds_count"));
    const sweptSoFar = await sweeps();
    await waitFor("three more sweeps", async () => (await sweeps()) >= sweptSoFar + 3);
    const checks = await countChecks(deployment, ids);
    expect(ids.map((id) => checks.get(id))).toEqual(ids.map(() => 1));
    expect(first.proc.exitCode).toBeNull();
  });

  test("a worker killed mid-batch: the other reclaims the batch and records it once", async () => {
    expect(deployment.workers.length).toBe(2);
    let requests = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = listen(async () => {
      requests++;
      await released;
      return new Response("ok");
    });
    const ids = await createHttpTargets("kill", 5, held.port!);
    await waitFor("a worker to start probing the batch", () => requests > 0);

    // The consumer that holds the batch is named host-pid-random.
    const pending = (await deployment.redis.redis.xpending(
      streamKeys(deployment.redis.prefix, "health").stream,
      SYSTEM_GROUP,
      "-",
      "+",
      10,
    )) as [string, string, number, number][];
    expect(pending).toHaveLength(1);
    const pid = Number(pending[0]![1].split("-").at(-2));
    const victim = deployment.workers.find((worker) => worker.proc.pid === pid)!;
    const survivor = deployment.workers.find((worker) => worker !== victim)!;
    expect(victim).toBeDefined();
    victim.proc.kill("SIGKILL");
    await victim.proc.exited;
    release();

    const checked = await waitUntilChecked(ids);
    expect(checked.map((target) => target.health.status)).toEqual(ids.map(() => "up"));
    const checks = await countChecks(deployment, ids);
    expect(ids.map((id) => checks.get(id))).toEqual(ids.map(() => 1));
    expect(
      await readCounter(survivor.port, "opsc_stream_messages_reclaimed_total", 'stream="health"'),
    ).toBeGreaterThanOrEqual(1);
    // SIGTERM is a clean stop: lease released, nothing left running.
    expect(await survivor.stop()).toBe(0);
  }, 60_000);
});
