import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as OTPAuth from "otpauth";
import { rejection } from "../support/errors.ts";
import { PASSWORD, startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;

beforeAll(async () => {
  system = await startSystem();
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

async function signInRaw(email: string, password: string) {
  const response = await system.handle("http://localhost/api/auth/sign-in/email", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  return { response, body: (await response.json()) as Record<string, unknown> };
}

describe("own profile", () => {
  test("profile, name and preferences", async () => {
    const user = await system.createUser("operator");
    const profile = await user.client.users.me.get.query();
    expect(profile).toMatchObject({
      effectiveRole: "operator",
      apiKeyId: null,
      preferences: { theme: "system", timeZone: "UTC" },
    });
    expect((await user.client.users.me.update.mutate({ name: "New Name" })).name).toBe("New Name");
    expect(
      await user.client.users.me.updatePreferences.mutate({ theme: "dark", timeZone: "Europe/Lisbon" }),
    ).toEqual({
      theme: "dark",
      timeZone: "Europe/Lisbon",
    });
    const bad = await rejection(user.client.users.me.updatePreferences.mutate({ timeZone: "Mars/Olympus" }));
    expect(bad).toMatchObject({ code: "BAD_REQUEST", fields: { timeZone: "unknown IANA time zone" } });
  });

  test("password change proves the current password and ends other sessions", async () => {
    const user = await system.createUser("viewer");
    const other = await system.signIn(user.email);
    const wrong = await rejection(
      user.client.users.me.changePassword.mutate({
        currentPassword: "not my password",
        newPassword: "next password 123",
      }),
    );
    expect(wrong).toMatchObject({
      code: "BAD_REQUEST",
      fields: { currentPassword: "The current password is wrong" },
    });
    await user.client.users.me.changePassword.mutate({
      currentPassword: PASSWORD,
      newPassword: "next password 123",
    });
    expect((await user.client.users.me.get.query()).user.email).toBe(user.email);
    expect((await rejection(other.client.users.me.get.query())).code).toBe("UNAUTHORIZED");
    await system.signIn(user.email, "next password 123");
  });

  test("TOTP two-factor: set up, then sign-in needs the code; disable turns it off", async () => {
    const user = await system.createUser("viewer");
    const wrong = await rejection(
      user.client.users.me.twoFactor.enable.mutate({ password: "wrong password" }),
    );
    expect(wrong.code).toBe("BAD_REQUEST");
    const { totpURI, backupCodes } = await user.client.users.me.twoFactor.enable.mutate({
      password: PASSWORD,
    });
    expect(backupCodes.length).toBeGreaterThan(5);
    const totp = OTPAuth.URI.parse(totpURI) as OTPAuth.TOTP;
    expect((await rejection(user.client.users.me.twoFactor.verify.mutate({ code: "000000" }))).code).toBe(
      "UNAUTHORIZED",
    );
    const verified = await user.client.users.me.twoFactor.verify.mutate({ code: totp.generate() });
    // The session is replaced when two-factor turns on: the old token ends, the returned one works.
    expect((await rejection(user.client.users.me.get.query())).code).toBe("UNAUTHORIZED");
    expect(
      (await system.client({ token: verified.sessionToken! }).users.me.get.query()).user.twoFactorEnabled,
    ).toBe(true);

    const first = await signInRaw(user.email, PASSWORD);
    expect(first.body.twoFactorRedirect).toBe(true);
    // Whatever token the first step hands out must not be a session: the second factor is still missing.
    const halfToken = first.response.headers.get("set-auth-token");
    if (halfToken)
      expect((await rejection(system.client({ token: halfToken }).users.me.get.query())).code).toBe(
        "UNAUTHORIZED",
      );
    const cookie = first.response.headers
      .getSetCookie()
      .map((value) => value.split(";")[0])
      .join("; ");
    const second = await system.handle("http://localhost/api/auth/two-factor/verify-totp", {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ code: totp.generate() }),
    });
    expect(second.status).toBe(200);
    const token = second.headers.get("set-auth-token");
    expect(token).toBeTruthy();
    const signedIn = system.client({ token: token! });
    const disabled = await signedIn.users.me.twoFactor.disable.mutate({ password: PASSWORD });
    expect(
      (await system.client({ token: disabled.sessionToken! }).users.me.get.query()).user.twoFactorEnabled,
    ).toBe(false);
    expect((await signInRaw(user.email, PASSWORD)).body.twoFactorRedirect).toBeUndefined();
  });
});

describe("API keys", () => {
  test("create shows the key once; it authenticates, never exceeds its owner, and revocation ends it", async () => {
    const operator = await system.createUser("operator");
    const tooMuch = await rejection(
      operator.client.users.me.apiKeys.create.mutate({ name: "admin key", expiresInDays: 30, role: "admin" }),
    );
    expect(tooMuch).toMatchObject({
      code: "FORBIDDEN",
      fields: { role: expect.stringContaining("more rights") },
    });

    const created = await operator.client.users.me.apiKeys.create.mutate({ name: "ci", expiresInDays: 30 });
    expect(created.key.startsWith("opsc_")).toBe(true);
    expect(created.apiKey).toMatchObject({ name: "ci", role: "operator", enabled: true });
    const listed = await operator.client.users.me.apiKeys.list.query();
    expect(listed.items.map((key) => key.id)).toEqual([created.apiKey.id]);
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const byKey = system.client({ apiKey: created.key });
    expect(await byKey.users.me.get.query()).toMatchObject({
      apiKeyId: created.apiKey.id,
      effectiveRole: "operator",
    });
    // Demoting the owner demotes the key: a key never carries more than its owner has now.
    await system.admin.client.users.accounts.update.mutate({ id: operator.id, data: { role: "viewer" } });
    expect((await byKey.users.me.get.query()).effectiveRole).toBe("viewer");

    // Another user's key is "not found", not "forbidden".
    const stranger = await system.createUser("viewer");
    expect(
      (await rejection(stranger.client.users.me.apiKeys.revoke.mutate({ id: created.apiKey.id }))).code,
    ).toBe("NOT_FOUND");

    await operator.client.users.me.apiKeys.revoke.mutate({ id: created.apiKey.id });
    expect((await rejection(byKey.users.me.get.query())).code).toBe("UNAUTHORIZED");
    expect((await operator.client.users.me.apiKeys.list.query()).items).toHaveLength(0);
  });

  test("an API key cannot manage credentials", async () => {
    const { key } = await system.admin.client.users.me.apiKeys.create.mutate({
      name: "automation",
      expiresInDays: 1,
    });
    const byKey = system.client({ apiKey: key });
    expect(
      (await rejection(byKey.users.me.apiKeys.create.mutate({ name: "child", expiresInDays: 1 }))).code,
    ).toBe("FORBIDDEN");
    expect(
      (
        await rejection(
          byKey.users.me.changePassword.mutate({
            currentPassword: PASSWORD,
            newPassword: "whatever password",
          }),
        )
      ).code,
    ).toBe("FORBIDDEN");
  });
});
