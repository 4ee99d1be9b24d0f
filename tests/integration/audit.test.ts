import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { streamKey, type TAuditRecord } from "@opsc/contracts";
import { PASSWORD, startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;

beforeAll(async () => {
  system = await startSystem();
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

async function publishedEvents(): Promise<TAuditRecord[]> {
  for (const relay of system.relays) await relay.drain();
  const entries = await system.redis.redis.xrange(streamKey(system.redis.prefix, "events"), "-", "+");
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf("data") + 1]!) as TAuditRecord);
}

describe("audit outbox", () => {
  test("every user mutation is recorded in its transaction and relayed to the events stream once", async () => {
    const admin = system.admin.client;
    const user = await admin.users.accounts.create.mutate({
      email: "audited@example.com",
      name: "Audited",
      role: "viewer",
      password: PASSWORD,
    });
    await admin.users.accounts.update.mutate({ id: user.id, data: { role: "operator" } });
    await admin.users.accounts.disable.mutate({ id: user.id, reason: "test" });
    await admin.users.accounts.enable.mutate({ id: user.id });
    await admin.users.accounts.resetPassword.mutate({ id: user.id, newPassword: "another long password" });
    const signedIn = await system.signIn("audited@example.com", "another long password");
    await signedIn.client.users.me.update.mutate({ name: "Renamed" });
    await signedIn.client.users.me.updatePreferences.mutate({ theme: "light" });
    await signedIn.client.users.me.changePassword.mutate({
      currentPassword: "another long password",
      newPassword: "third long password",
    });
    const { apiKey } = await signedIn.client.users.me.apiKeys.create.mutate({
      name: "audit",
      expiresInDays: 1,
    });
    await signedIn.client.users.me.apiKeys.revoke.mutate({ id: apiKey.id });
    await admin.users.accounts.delete.mutate({ id: user.id });

    const events = await publishedEvents();
    const forUser = events.filter((event) => event.resourceId === user.id || event.resourceId === apiKey.id);
    // Each service relays its own outbox in commit order; across services there is no global order.
    const actionsOf = (service: string) =>
      forUser.filter((event) => event.service === service).map((event) => event.action);
    expect(actionsOf("auth")).toEqual([
      "user.created",
      "user.role_changed",
      "user.disabled",
      "user.enabled",
      "user.password_reset",
      "auth.signed_in",
      "user.updated",
      "user.password_changed",
      "api_key.created",
      "api_key.revoked",
      "user.deleted",
    ]);
    expect(actionsOf("users")).toEqual(["user.preferences_updated", "user.preferences_deleted"]);
    const roleChange = forUser.find((event) => event.action === "user.role_changed")!;
    expect(roleChange).toMatchObject({ actorType: "user", actorId: system.admin.id, service: "auth" });
    expect((roleChange.before as { role: string }).role).toBe("viewer");
    expect((roleChange.after as { role: string }).role).toBe("operator");
    expect(roleChange.requestId).toBeTruthy();
    // No secret reaches the stream: not the passwords, not the API key.
    const serialized = JSON.stringify(events);
    for (const secret of [PASSWORD, "another long password", "third long password"])
      expect(serialized).not.toContain(secret);
    expect(serialized).not.toMatch(/"password"|opsc_[A-Za-z]{20}/);

    // Everything is marked published, and a second drain publishes nothing again.
    const pending = await system.authDb
      .selectFrom("audit_outbox")
      .select("id")
      .where("published_at", "is", null)
      .execute();
    expect(pending).toHaveLength(0);
    expect((await publishedEvents()).length).toBe(events.length);
  });

  test("a failed mutation leaves neither the change nor an audit record", async () => {
    const before = await system.authDb.selectFrom("audit_outbox").select("id").execute();
    await expect(
      system.admin.client.users.accounts.create.mutate({
        email: "admin@example.com",
        name: "Dup",
        role: "viewer",
        password: PASSWORD,
      }),
    ).rejects.toThrow();
    const after = await system.authDb.selectFrom("audit_outbox").select("id").execute();
    expect(after.length).toBe(before.length);
  });
});
