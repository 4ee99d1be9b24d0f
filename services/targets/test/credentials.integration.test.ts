import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open, parseVaultKeys, sealedKeyId } from "@opsc/vault";
import { rejection } from "../../../tests/support/errors.ts";
import { startSystem, type TestSystem } from "../../../tests/support/system.ts";
import { rotateVaultKeys } from "../src/credentials/rotate.ts";

let system: TestSystem;
let workdir: string;
let privateKey: string;
let publicFingerprint: string;
const ops = () => system.admin.client.targets.credentials;

beforeAll(async () => {
  system = await startSystem();
  workdir = mkdtempSync(join(tmpdir(), "opsc-cred-"));
  const keyFile = join(workdir, "id_ed25519");
  Bun.spawnSync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", keyFile]);
  privateKey = readFileSync(keyFile, "utf8");
  publicFingerprint = Bun.spawnSync(["ssh-keygen", "-lf", `${keyFile}.pub`])
    .stdout.toString()
    .split(" ")[1]!;
}, 60_000);
afterAll(async () => {
  await system?.stop();
  rmSync(workdir, { recursive: true, force: true });
});

describe("credential vault", () => {
  test("secrets are write-only: no response carries them, and the database holds only ciphertext", async () => {
    const created = await ops().create.mutate({
      name: "deploy-key",
      description: "deploys",
      secret: { kind: "ssh_key", username: "deploy", privateKey },
    });
    expect(created).toMatchObject({
      kind: "ssh_key",
      username: "deploy",
      fingerprint: publicFingerprint,
      hasPassphrase: false,
      usedBy: 0,
    });
    const password = await ops().create.mutate({
      name: "root-password",
      secret: { kind: "ssh_password", username: "root", password: "S3cret-pa55word!" },
    });
    expect(password.fingerprint).toMatch(/^sha256:/);

    const responses = JSON.stringify([
      created,
      password,
      await ops().list.query(),
      await ops().get.query({ id: created.id }),
    ]);
    for (const secret of ["S3cret-pa55word!", "PRIVATE KEY", privateKey.split("\n")[1]!])
      expect(responses).not.toContain(secret);

    const rows = await system.targetsDb.selectFrom("credentials").selectAll().execute();
    const stored = JSON.stringify(rows);
    for (const secret of ["S3cret-pa55word!", "PRIVATE KEY", privateKey.split("\n")[1]!])
      expect(stored).not.toContain(secret);
    const row = rows.find((candidate) => candidate.id === password.id)!;
    expect(row.secret_sealed.startsWith("v1.k1.")).toBe(true);
    // The ciphertext opens with the vault key, and only for its own row.
    expect(JSON.parse(open(system.targetsDeps.vault, row.secret_sealed, row.id))).toMatchObject({
      password: "S3cret-pa55word!",
    });
    expect(() => open(system.targetsDeps.vault, row.secret_sealed, created.id)).toThrow();
  });

  test("an unusable key or a wrong kind is refused naming the field", async () => {
    const badKey = await rejection(
      ops().create.mutate({
        name: "broken",
        secret: {
          kind: "ssh_key",
          username: "x",
          privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nnope\n-----END OPENSSH PRIVATE KEY-----",
        },
      }),
    );
    expect(badKey).toMatchObject({
      code: "BAD_REQUEST",
      fields: { "secret.privateKey": expect.stringContaining("Not a private key") },
    });
    const unknownKind = await rejection(
      ops().create.mutate({ name: "x", secret: { kind: "kerberos", ticket: "x" } as never }),
    );
    expect(unknownKind.code).toBe("BAD_REQUEST");
    const credential = await ops().create.mutate({
      name: "api-token",
      secret: { kind: "http_bearer", token: "tok" },
    });
    const switched = await rejection(
      ops().update.mutate({
        id: credential.id,
        data: { secret: { kind: "ssh_password", username: "a", password: "b" } },
      }),
    );
    expect(switched.fields["data.secret.kind"]).toContain("create a new one");
  });

  test("replacing a secret changes its fingerprint; a credential in use cannot be deleted", async () => {
    const credential = await ops().create.mutate({
      name: "web-token",
      secret: { kind: "http_bearer", token: "first" },
    });
    const replaced = await ops().update.mutate({
      id: credential.id,
      data: { secret: { kind: "http_bearer", token: "second" } },
    });
    expect(replaced.fingerprint).not.toBe(credential.fingerprint);
    const target = await system.admin.client.targets.create.mutate({
      name: "uses-token",
      address: "127.0.0.1",
      kind: "http",
      credentialId: credential.id,
    });
    expect((await ops().get.query({ id: credential.id })).usedBy).toBe(1);
    expect((await rejection(ops().delete.mutate({ id: credential.id }))).code).toBe("CONFLICT");
    await system.admin.client.targets.update.mutate({ id: target.id, data: { credentialId: null } });
    await ops().delete.mutate({ id: credential.id });
    expect((await rejection(ops().get.query({ id: credential.id }))).code).toBe("NOT_FOUND");
  });

  test("key rotation re-seals every secret with the new key; the old key can then be dropped", async () => {
    const before = await system.targetsDb.selectFrom("credentials").select(["id", "secret_sealed"]).execute();
    expect(before.every((row) => sealedKeyId(row.secret_sealed) === "k1")).toBe(true);
    const rotated = parseVaultKeys(
      `k2:${Buffer.alloc(32, 9).toString("base64")},k1:${Buffer.alloc(32, 7).toString("base64")}`,
    );
    const result = await rotateVaultKeys(system.targetsDb, rotated, 2);
    expect(result).toEqual({ total: before.length, resealed: before.length, keyId: "k2" });
    const after = await system.targetsDb.selectFrom("credentials").select(["id", "secret_sealed"]).execute();
    const onlyNewKey = parseVaultKeys(`k2:${Buffer.alloc(32, 9).toString("base64")}`);
    for (const row of after) {
      expect(sealedKeyId(row.secret_sealed)).toBe("k2");
      expect(() => open(onlyNewKey, row.secret_sealed, row.id)).not.toThrow();
    }
    expect((await rotateVaultKeys(system.targetsDb, rotated)).resealed).toBe(0);
    const audited = await system.targetsDb
      .selectFrom("audit_outbox")
      .select("action")
      .where("action", "=", "credential.rekeyed")
      .execute();
    expect(audited).toHaveLength(before.length);
  });
});
