import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLocalJWKSet, jwtVerify } from "jose";
import { PASSWORD, startSystem, type TestSystem } from "../../../tests/support/system.ts";

let system: TestSystem;

beforeAll(async () => {
  system = await startSystem();
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  system.handle(`http://localhost${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("better-auth over HTTP", () => {
  test("open sign-up is closed", async () => {
    const response = await post("/api/auth/sign-up/email", {
      email: "walk-in@example.com",
      password: PASSWORD,
      name: "Walk In",
    });
    expect(response.status).toBe(404);
    const users = await system.admin.client.users.accounts.list.query({ search: "walk-in" });
    expect(users.total).toBe(0);
  });

  test("better-auth's own admin, profile and API-key endpoints are not served: they would skip roles and audit", async () => {
    const auth = { authorization: `Bearer ${system.admin.token}` };
    for (const path of [
      "/api/auth/admin/set-role",
      "/api/auth/admin/create-user",
      "/api/auth/admin/ban-user",
      "/api/auth/admin/impersonate-user",
      "/api/auth/update-user",
      "/api/auth/change-password",
      "/api/auth/api-key/create",
      "/api/auth/two-factor/disable",
    ]) {
      expect((await post(path, {}, auth)).status, path).toBe(404);
    }
  });

  test("sign-in returns a bearer token and a cookie; sign-out ends the session", async () => {
    const response = await post("/api/auth/sign-in/email", {
      email: "admin@example.com",
      password: PASSWORD,
    });
    expect(response.status).toBe(200);
    const token = response.headers.get("set-auth-token")!;
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith("opsc.session_token="))).toBe(
      true,
    );
    const session = await system.handle("http://localhost/api/auth/get-session", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await session.json()) as { user: { email: string } }).user.email).toBe("admin@example.com");
    expect((await post("/api/auth/sign-out", {}, { authorization: `Bearer ${token}` })).status).toBe(200);
    await expect(system.client({ token }).users.me.get.query()).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED" },
    });
  });

  test("a wrong password is 401 and says nothing about whether the account exists", async () => {
    const wrong = await post("/api/auth/sign-in/email", {
      email: "admin@example.com",
      password: "not the password",
    });
    const unknown = await post("/api/auth/sign-in/email", {
      email: "ghost@example.com",
      password: "not the password",
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(((await wrong.json()) as { message: string }).message).toBe(
      ((await unknown.json()) as { message: string }).message,
    );
  });

  test("JWT from /api/auth/token verifies against /api/auth/jwks", async () => {
    const tokenResponse = await system.handle("http://localhost/api/auth/token", {
      headers: { authorization: `Bearer ${system.admin.token}` },
    });
    expect(tokenResponse.status).toBe(200);
    const { token } = (await tokenResponse.json()) as { token: string };
    const jwks = (await (await system.handle("http://localhost/api/auth/jwks")).json()) as Parameters<
      typeof createLocalJWKSet
    >[0];
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: "http://localhost",
      audience: "http://localhost",
    });
    expect(payload.sub).toBe(system.admin.id);

    // The same JWT authenticates API calls as a bearer token; a tampered one does not.
    const byJwt = system.client({ token });
    expect((await byJwt.users.me.get.query()).user.id).toBe(system.admin.id);
    const tampered = `${token.slice(0, -4)}${token.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    await expect(system.client({ token: tampered }).users.me.get.query()).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED" },
    });
  });

  test("a JWT stops working when its user is disabled, though it has not expired", async () => {
    const user = await system.createUser("operator");
    const response = await system.handle("http://localhost/api/auth/token", {
      headers: { authorization: `Bearer ${user.token}` },
    });
    const { token } = (await response.json()) as { token: string };
    const byJwt = system.client({ token });
    expect((await byJwt.users.me.get.query()).effectiveRole).toBe("operator");
    await system.admin.client.users.accounts.disable.mutate({ id: user.id });
    await expect(byJwt.users.me.get.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  });

  test("the internal router refuses calls without the right internal token", async () => {
    const url = "http://localhost/internal/trpc/identity/users.list?input=%7B%7D";
    const call = (headers: Record<string, string>) => system.authApp.handle(new Request(url, { headers }));
    expect((await call({})).status).toBe(401);
    expect((await call({ "x-opsc-internal-token": "x".repeat(system.internalToken.length) })).status).toBe(
      401,
    );
    expect((await call({ authorization: `Bearer ${system.admin.token}` })).status).toBe(401);
    expect((await call({ "x-opsc-internal-token": system.internalToken })).status).toBe(200);
  });

  test("internal procedures are not reachable on the public tRPC path", async () => {
    const response = await system.handle("http://localhost/trpc/auth/users.list?input=%7B%7D", {
      headers: { authorization: `Bearer ${system.admin.token}` },
    });
    expect(response.status).toBe(404);
  });
});
