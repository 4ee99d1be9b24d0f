/**
 * Connection tests and host key pinning against a real OpenSSH server on a loopback port, and HTTP targets
 * against a local server. Nothing leaves 127.0.0.0/8.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { streamKey } from "@opsc/contracts";
import { type StartedSshd, startSshd } from "@opsc/testing";
import { rejection } from "../../../tests/support/errors.ts";
import { startSystem, type TestSystem } from "../../../tests/support/system.ts";

let system: TestSystem;
let sshd: StartedSshd;
let web: ReturnType<typeof Bun.serve>;
const ops = () => system.admin.client.targets;

beforeAll(async () => {
  system = await startSystem({ connectTimeoutMs: 3_000 });
  sshd = await startSshd();
  web = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) =>
      new URL(request.url).pathname === "/health" &&
      request.headers.get("authorization") === "Bearer right-token"
        ? new Response("ok")
        : new Response("nope", { status: 401 }),
  });
}, 60_000);
afterAll(async () => {
  web?.stop(true);
  await sshd?.stop();
  await system?.stop();
});

async function sshTarget(name: string, credential: "key" | "password" | "none" = "key") {
  const user = sshd.users[0]!;
  const credentialId =
    credential === "none"
      ? null
      : (
          await ops().credentials.create.mutate({
            name: `${name}-credential`,
            secret:
              credential === "key"
                ? { kind: "ssh_key", username: user.username, privateKey: user.privateKeyPem }
                : { kind: "ssh_password", username: user.username, password: user.password },
          })
        ).id;
  return ops().create.mutate({ name, address: "127.0.0.1", port: sshd.port, kind: "ssh", credentialId });
}

describe("SSH connection test", () => {
  test("key login runs `true`, reports latency, and pins the host key on first use", async () => {
    const target = await sshTarget("ssh-key");
    const result = await ops().testConnection.mutate({ id: target.id });
    expect(result).toMatchObject({
      ok: true,
      error: null,
      hostKey: { fingerprintSha256: sshd.hostKeys.ed25519.fingerprintSha256, pinnedNow: true },
    });
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.detail).toContain("OpenSSH");
    expect((await ops().get.query({ id: target.id })).hostKey?.fingerprintSha256).toBe(
      sshd.hostKeys.ed25519.fingerprintSha256,
    );
    const again = await ops().testConnection.mutate({ id: target.id });
    expect(again).toMatchObject({ ok: true, hostKey: { pinnedNow: false } });
  });

  test("password login works too; a wrong password is an auth failure", async () => {
    const target = await sshTarget("ssh-password", "password");
    expect((await ops().testConnection.mutate({ id: target.id })).ok).toBe(true);
    const credentialId = (await ops().get.query({ id: target.id })).credentialId!;
    await ops().credentials.update.mutate({
      id: credentialId,
      data: {
        secret: { kind: "ssh_password", username: sshd.users[0]!.username, password: "definitely wrong" },
      },
    });
    expect(await ops().testConnection.mutate({ id: target.id })).toMatchObject({
      ok: false,
      error: { kind: "auth" },
    });
  });

  test("without a credential the server's banner is checked, and nothing is pinned", async () => {
    const target = await sshTarget("ssh-banner", "none");
    const result = await ops().testConnection.mutate({ id: target.id });
    expect(result).toMatchObject({ ok: true, hostKey: null });
    expect(result.detail).toContain("OpenSSH");
  });

  test("refused and timeout are told apart", async () => {
    const closed = await ops().create.mutate({
      name: "ssh-closed",
      address: "127.0.0.1",
      port: 9,
      kind: "ssh",
    });
    expect(await ops().testConnection.mutate({ id: closed.id })).toMatchObject({
      ok: false,
      error: { kind: "refused" },
    });
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const mute = await ops().create.mutate({
        name: "ssh-mute",
        address: "127.0.0.1",
        port: silent.port,
        kind: "ssh",
      });
      expect(await ops().testConnection.mutate({ id: mute.id })).toMatchObject({
        ok: false,
        error: { kind: "timeout" },
      });
    } finally {
      silent.stop(true);
    }
  });

  test("a changed host key is refused before login, marks the target down, raises an event; an admin re-pins it", async () => {
    const target = await sshTarget("ssh-rotated");
    expect((await ops().testConnection.mutate({ id: target.id })).hostKey?.pinnedNow).toBe(true);
    const oldFingerprint = sshd.hostKeys.ed25519.fingerprintSha256;
    const logBefore = sshd.readLog().length;
    const newFingerprint = await sshd.rotateHostKey();

    const refused = await ops().testConnection.mutate({ id: target.id });
    expect(refused).toMatchObject({ ok: false, error: { kind: "host_key_mismatch" } });
    // The credential never reached the impostor: no authentication attempt in the server's log.
    expect(sshd.readLog().slice(logBefore)).not.toMatch(/Accepted|Failed/);
    const after = await ops().get.query({ id: target.id });
    expect(after.health.status).toBe("down");
    expect(after.hostKey?.fingerprintSha256).toBe(oldFingerprint);

    for (const relay of system.relays) await relay.drain();
    const events = await system.redis.redis.xrange(streamKey(system.redis.prefix, "events"), "-", "+");
    const types = events.map(([, fields]) => fields[fields.indexOf("type") + 1]);
    expect(types).toContain("target.host_key.mismatch");
    expect(types).toContain("target.health.changed");

    const operator = await system.createUser("operator");
    expect((await rejection(operator.client.targets.repinHostKey.mutate({ id: target.id }))).code).toBe(
      "FORBIDDEN",
    );
    const repinned = await ops().repinHostKey.mutate({ id: target.id });
    expect(repinned.previous?.fingerprintSha256).toBe(oldFingerprint);
    expect(repinned.current.fingerprintSha256).toBe(newFingerprint);
    expect((await ops().testConnection.mutate({ id: target.id })).ok).toBe(true);
    const audit = await system.targetsDb
      .selectFrom("audit_outbox")
      .selectAll()
      .where("action", "=", "target.host_key_repinned")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: system.admin.id });
  });
});

describe("HTTP connection test", () => {
  test("sends the credential, reports the status; a wrong token is an http_status failure", async () => {
    const good = await ops().credentials.create.mutate({
      name: "right",
      secret: { kind: "http_bearer", token: "right-token" },
    });
    const target = await ops().create.mutate({
      name: "web-health",
      address: "127.0.0.1",
      port: web.port!,
      kind: "http",
      http: { scheme: "http", path: "/health" },
      credentialId: good.id,
    });
    expect(await ops().testConnection.mutate({ id: target.id })).toMatchObject({
      ok: true,
      detail: "HTTP 200",
      error: null,
      hostKey: null,
    });
    const bad = await ops().credentials.create.mutate({
      name: "wrong",
      secret: { kind: "http_bearer", token: "wrong-token" },
    });
    await ops().update.mutate({ id: target.id, data: { credentialId: bad.id } });
    expect(await ops().testConnection.mutate({ id: target.id })).toMatchObject({
      ok: false,
      error: { kind: "http_status" },
      detail: "HTTP 401",
    });
  });
});
