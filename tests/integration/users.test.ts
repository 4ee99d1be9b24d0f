import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rejection } from "../support/errors.ts";
import { PASSWORD, startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;

beforeAll(async () => {
  system = await startSystem();
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

describe("user administration", () => {
  test("create, search with paging, get, update name and role", async () => {
    const admin = system.admin.client;
    for (const name of ["Ana Lima", "Bruno Costa", "Ana Souza"]) {
      const slug = name.toLowerCase().replace(" ", ".");
      await admin.users.accounts.create.mutate({
        email: `${slug}@example.com`,
        name,
        role: "viewer",
        password: PASSWORD,
      });
    }
    const page1 = await admin.users.accounts.list.query({ search: "ana", limit: 1, offset: 0 });
    expect(page1.total).toBe(2);
    expect(page1.items).toHaveLength(1);
    const page2 = await admin.users.accounts.list.query({ search: "ANA", limit: 1, offset: 1 });
    expect(page2.items[0]?.id).not.toBe(page1.items[0]?.id);
    const byRole = await admin.users.accounts.list.query({ role: "admin" });
    expect(byRole.items.map((user) => user.email)).toEqual(["admin@example.com"]);

    const bruno = (await admin.users.accounts.list.query({ search: "bruno" })).items[0]!;
    const fetched = await admin.users.accounts.get.query({ id: bruno.id });
    expect(fetched).toMatchObject({ email: "bruno.costa@example.com", role: "viewer", disabled: false });
    const updated = await admin.users.accounts.update.mutate({
      id: bruno.id,
      data: { name: "Bruno C.", role: "operator" },
    });
    expect(updated).toMatchObject({ name: "Bruno C.", role: "operator" });
    expect(JSON.stringify(fetched)).not.toContain("password");
  });

  test("a duplicate e-mail is a conflict naming the field", async () => {
    const failure = await rejection(
      system.admin.client.users.accounts.create.mutate({
        email: "ADMIN@example.com",
        name: "Dup",
        role: "viewer",
        password: PASSWORD,
      }),
    );
    expect(failure.code).toBe("CONFLICT");
    expect(failure.fields.email).toContain("already exists");
  });

  test("disabling ends sessions and refuses sign-in and API keys; enabling restores sign-in", async () => {
    const user = await system.createUser("operator");
    const { key } = await user.client.users.me.apiKeys.create.mutate({ name: "k", expiresInDays: 1 });
    const byKey = system.client({ apiKey: key });
    expect((await byKey.users.me.get.query()).user.email).toBe(user.email);

    const disabled = await system.admin.client.users.accounts.disable.mutate({
      id: user.id,
      reason: "left the team",
    });
    expect(disabled).toMatchObject({ disabled: true, disabledReason: "left the team" });
    expect((await rejection(user.client.users.me.get.query())).code).toBe("UNAUTHORIZED");
    expect((await rejection(byKey.users.me.get.query())).code).toBe("UNAUTHORIZED");
    await expect(system.signIn(user.email)).rejects.toThrow();

    await system.admin.client.users.accounts.enable.mutate({ id: user.id });
    const again = await system.signIn(user.email);
    expect((await again.client.users.me.get.query()).user.disabled).toBe(false);
  });

  test("reset password: the old one stops working and sessions end", async () => {
    const user = await system.createUser("viewer");
    await system.admin.client.users.accounts.resetPassword.mutate({
      id: user.id,
      newPassword: "a brand new password",
    });
    expect((await rejection(user.client.users.me.get.query())).code).toBe("UNAUTHORIZED");
    await expect(system.signIn(user.email)).rejects.toThrow();
    await system.signIn(user.email, "a brand new password");
  });

  test("delete removes the user; unknown ids answer NOT_FOUND", async () => {
    const user = await system.createUser("viewer");
    await user.client.users.me.updatePreferences.mutate({ theme: "dark" });
    await system.admin.client.users.accounts.delete.mutate({ id: user.id });
    expect((await rejection(system.admin.client.users.accounts.get.query({ id: user.id }))).code).toBe(
      "NOT_FOUND",
    );
    expect((await rejection(system.admin.client.users.accounts.delete.mutate({ id: user.id }))).code).toBe(
      "NOT_FOUND",
    );
    const preferences = await system.usersDb
      .selectFrom("preferences")
      .selectAll()
      .where("user_id", "=", user.id)
      .execute();
    expect(preferences).toHaveLength(0);
  });

  test("the last administrator cannot be demoted, disabled or deleted, and no one disables themselves", async () => {
    const admin = system.admin.client;
    expect(
      (
        await rejection(
          admin.users.accounts.update.mutate({ id: system.admin.id, data: { role: "operator" } }),
        )
      ).code,
    ).toBe("PRECONDITION_FAILED");
    expect((await rejection(admin.users.accounts.disable.mutate({ id: system.admin.id }))).code).toBe(
      "PRECONDITION_FAILED",
    );
    expect((await rejection(admin.users.accounts.delete.mutate({ id: system.admin.id }))).code).toBe(
      "PRECONDITION_FAILED",
    );

    const second = await system.createUser("admin");
    const selfDisable = await rejection(second.client.users.accounts.disable.mutate({ id: second.id }));
    expect(selfDisable).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "You cannot disable yourself",
    });
    // With two admins one may be demoted, but never the remaining one.
    await admin.users.accounts.update.mutate({ id: second.id, data: { role: "viewer" } });
    expect(
      (await rejection(admin.users.accounts.update.mutate({ id: system.admin.id, data: { role: "viewer" } })))
        .code,
    ).toBe("PRECONDITION_FAILED");
  });

  test("REST: list and create through /api/v1/users with the error envelope", async () => {
    const headers = { authorization: `Bearer ${system.admin.token}`, "content-type": "application/json" };
    const list = await system.handle(
      "http://localhost/api/v1/users/accounts?search=admin%40example.com&limit=5",
      { headers },
    );
    expect(list.status).toBe(200);
    expect(((await list.json()) as { total: number }).total).toBe(1);

    const created = await system.handle("http://localhost/api/v1/users/accounts", {
      method: "POST",
      headers,
      body: JSON.stringify({ email: "rest@example.com", name: "Rest", role: "viewer", password: PASSWORD }),
    });
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: string };
    const updated = await system.handle(`http://localhost/api/v1/users/accounts/${id}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ data: { role: "operator" } }),
    });
    expect(((await updated.json()) as { role: string }).role).toBe("operator");

    const missing = await system.handle("http://localhost/api/v1/users/accounts/nope", { headers });
    expect(missing.status).toBe(404);
    const body = (await missing.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error).toMatchObject({ code: "NOT_FOUND", message: "User not found" });
    expect(body.error.requestId).toBe(missing.headers.get("x-request-id")!);
  });
});
