import { streamKey } from "@opsc/contracts";
import type { TRun } from "@opsc/contracts/execution/runs";
import { S3ObjectStore } from "@opsc/objectstore";
import type { OpsClient } from "@opsc/sdk";
import type { StartedSshd } from "@opsc/testing";
import { startS3 } from "@opsc/testing/s3";
import { startSystem, type TestSystem } from "./system.ts";

/** `count` targets named `<prefix>-<n>`, tagged `suite=<prefix>` (HTTP kind: no-op and local runs never connect). */
export async function createHttpTargets(system: TestSystem, prefix: string, count: number) {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const target = await system.admin.client.targets.create.mutate({
      name: `${prefix}-${index}`,
      address: "127.0.0.1",
      port: 9,
      kind: "http",
      tags: { suite: prefix },
    });
    ids.push(target.id);
  }
  return ids;
}

/** An SSH target on the test server, with a key credential for its first user. */
export async function createSshTarget(system: TestSystem, sshd: StartedSshd, name: string) {
  const user = sshd.users[0]!;
  const credential = await system.admin.client.targets.credentials.create.mutate({
    name: `${name}-key`,
    secret: { kind: "ssh_key", username: user.username, privateKey: user.privateKeyPem },
  });
  return system.admin.client.targets.create.mutate({
    name,
    address: "127.0.0.1",
    port: sshd.port,
    kind: "ssh",
    credentialId: credential.id,
  });
}

/** Polls a run until it has a final state. */
export async function waitForRun(
  client: OpsClient["execution"],
  id: string,
  timeoutMs = 30_000,
): Promise<TRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await client.runs.get.query({ id });
    if (["succeeded", "failed", "cancelled"].includes(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.state}: ${JSON.stringify(run.counts)}`);
    await Bun.sleep(50);
  }
}

/** The domain events of one type on the system's events stream (drain the outbox relays first). */
export async function streamEvents(system: TestSystem, type: string) {
  const entries = (await system.redis.redis.xrange(streamKey(system.redis.prefix, "events"), "-", "+")) as [
    string,
    string[],
  ][];
  return entries
    .map(([, fields]) => {
      const record: Record<string, string> = {};
      for (let index = 0; index + 1 < fields.length; index += 2) record[fields[index]!] = fields[index + 1]!;
      return { type: record.type, payload: JSON.parse(record.data ?? "{}").payload ?? {} };
    })
    .filter((event) => event.type === type);
}

/**
 * A test system whose execution service keeps artifacts and log archives in the bucket of a fresh S3-compatible
 * server; `stop()` stops the system, then the server.
 */
export async function startS3System(options: { reconcileIntervalMs: number }) {
  const s3 = await startS3();
  const store = new S3ObjectStore({
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: s3.credentials,
  });
  try {
    const system = await startSystem({ ...options, objectStore: store });
    return {
      system,
      store,
      async stop() {
        await system.stop();
        await s3.stop();
      },
    };
  } catch (error) {
    await s3.stop();
    throw error;
  }
}
