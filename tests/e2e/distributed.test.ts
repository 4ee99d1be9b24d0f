/**
 * The distributed mode: auth and users as separate processes behind the real Caddy gateway, driven through the
 * SDK and plain HTTP the way curl or an external tool would.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { streamKey, type TAuditRecord } from "@opsc/contracts";
import { createOpsClient, errorCode } from "@opsc/sdk";
import { type Deployment, repoRoot, startDeployment } from "@opsc/testing";

const PASSWORD = "gateway admin password";
let deployment: Deployment;
let url: string;

async function signIn(email: string, password: string) {
  const response = await fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ email, password }),
  });
  return { response, token: response.headers.get("set-auth-token") };
}

beforeAll(async () => {
  // Only the gateway (connecting from 127.0.0.1) is a trusted proxy; other loopback addresses act as clients.
  deployment = await startDeployment({
    authEnv: { SIGN_IN_RATE_LIMIT_MAX: "8", TRUSTED_PROXIES: "127.0.0.1" },
  });
  url = deployment.url;
  const setup = await fetch(`${url}/api/v1/auth/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      token: deployment.setupToken,
      email: "root@example.com",
      name: "Root",
      password: PASSWORD,
    }),
  });
  expect(setup.status).toBe(200);
});

afterAll(async () => {
  await deployment?.stop();
});

describe("through the gateway", () => {
  test("sign in, create an API key, list users over tRPC and REST with it", async () => {
    const { token } = await signIn("root@example.com", PASSWORD);
    expect(token).toBeTruthy();
    const admin = createOpsClient({ baseUrl: url, token: token! });
    const { key } = await admin.users.me.apiKeys.create.mutate({ name: "curl", expiresInDays: 7 });

    const byKey = createOpsClient({ baseUrl: url, apiKey: key });
    expect((await byKey.users.accounts.list.query({})).items.map((user) => user.email)).toEqual([
      "root@example.com",
    ]);
    const rest = await fetch(`${url}/api/v1/users/accounts?limit=10`, { headers: { "x-api-key": key } });
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as { total: number }).total).toBe(1);
    expect(rest.headers.get("x-content-type-options")).toBe("nosniff");
    expect(rest.headers.get("x-frame-options")).toBe("DENY");
    expect(rest.headers.get("server")).toBeNull();
  });

  test("a viewer's key is refused on an admin procedure; no credentials is 401; bad input is 400 naming the field", async () => {
    const { token } = await signIn("root@example.com", PASSWORD);
    const admin = createOpsClient({ baseUrl: url, token: token! });
    await admin.users.accounts.create.mutate({
      email: "viewer@example.com",
      name: "Viewer",
      role: "viewer",
      password: PASSWORD,
    });
    const viewer = await signIn("viewer@example.com", PASSWORD);
    const { key } = await createOpsClient({
      baseUrl: url,
      token: viewer.token!,
    }).users.me.apiKeys.create.mutate({ name: "v", expiresInDays: 1 });

    const refused = await fetch(`${url}/api/v1/users/accounts`, { headers: { "x-api-key": key } });
    expect(refused.status).toBe(403);
    await expect(
      createOpsClient({ baseUrl: url, apiKey: key }).users.accounts.list.query({}),
    ).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    expect((await fetch(`${url}/api/v1/users/accounts`)).status).toBe(401);
    expect((await fetch(`${url}/trpc/users/accounts.list?input=%7B%7D`)).status).toBe(401);

    const unknownField = await fetch(`${url}/api/v1/users/accounts`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        email: "x@example.com",
        name: "X",
        role: "viewer",
        password: PASSWORD,
        superuser: true,
      }),
    });
    expect(unknownField.status).toBe(400);
    expect(((await unknownField.json()) as { error: { message: string } }).error.message).toContain(
      "superuser",
    );
    const wrongType = await fetch(`${url}/api/v1/users/accounts`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ email: "x@example.com", name: 42, role: "viewer", password: PASSWORD }),
    });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: { message: string } }).error.message).toContain("name");
  });

  test("internal routes are not reachable through the gateway", async () => {
    const response = await fetch(`${url}/internal/trpc/identity/authenticate`);
    expect(response.status).toBe(404);
  });

  test("each service's OpenAPI document is served under its prefix", async () => {
    for (const service of ["auth", "users", "jobs"]) {
      const response = await fetch(`${url}/api/v1/${service}/openapi.json`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { openapi: string }).openapi).toBe("3.1.0");
    }
  });

  test("user mutations reach the events stream with actor, client address and request id", async () => {
    const { token } = await signIn("root@example.com", PASSWORD);
    const requestId = `req-${crypto.randomUUID()}`;
    const response = await fetch(`${url}/api/v1/users/accounts`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        "x-request-id": requestId,
      },
      body: JSON.stringify({
        email: "streamed@example.com",
        name: "Streamed",
        role: "operator",
        password: PASSWORD,
      }),
    });
    expect(response.status).toBe(200);
    let record: TAuditRecord | undefined;
    for (let attempt = 0; attempt < 50 && !record; attempt++) {
      const entries = await deployment.redis.redis.xrange(
        streamKey(deployment.redis.prefix, "events"),
        "-",
        "+",
      );
      record = entries
        .map(([, fields]) => JSON.parse(fields[fields.indexOf("data") + 1]!) as TAuditRecord)
        .find((event) => event.action === "user.created" && event.requestId === requestId);
      if (!record) await Bun.sleep(100);
    }
    expect(record).toMatchObject({
      service: "auth",
      actorType: "user",
      sourceIp: "127.0.0.1",
      resourceType: "user",
    });

    // The audit service process stores it; an admin reads it through the gateway, and the chain verifies.
    const headers = { authorization: `Bearer ${token}` };
    let stored: { items: { requestId: string | null; action: string }[] } | undefined;
    for (let attempt = 0; attempt < 100 && !stored?.items.length; attempt++) {
      const list = await fetch(`${url}/api/v1/audit/records?action=user.created`, { headers });
      expect(list.status).toBe(200);
      stored = (await list.json()) as typeof stored;
      stored!.items = stored!.items.filter((item) => item.requestId === requestId);
      if (!stored!.items.length) await Bun.sleep(100);
    }
    expect(stored?.items).toHaveLength(1);
    const verify = await fetch(`${url}/api/v1/audit/verify`, { headers });
    expect(((await verify.json()) as { intact: boolean }).intact).toBe(true);
  });
});

describe("the SDK from Node.js", () => {
  test("the built bundle lists users with an API key under Node", async () => {
    const outdir = mkdtempSync(join(tmpdir(), "opsc-sdk-"));
    try {
      const build = Bun.spawnSync(
        ["bun", "build", "packages/sdk/src/index.ts", "--target=node", "--format=esm", `--outdir=${outdir}`],
        {
          cwd: repoRoot(),
        },
      );
      expect(build.exitCode).toBe(0);
      const { token } = await signIn("root@example.com", PASSWORD);
      const admin = createOpsClient({ baseUrl: url, token: token! });
      const { key } = await admin.users.me.apiKeys.create.mutate({ name: "node", expiresInDays: 1 });
      const script = `
        const { createOpsClient } = await import(${JSON.stringify(join(outdir, "index.js"))});
        const ops = createOpsClient({ baseUrl: process.env.OPSC_URL, apiKey: process.env.OPSC_API_KEY });
        const me = await ops.users.me.get.query();
        const users = await ops.users.accounts.list.query({ limit: 1 });
        console.log(JSON.stringify({ email: me.user.email, total: users.total, isBun: typeof Bun !== "undefined" }));
      `;
      const node = Bun.spawnSync(["node", "--input-type=module", "-e", script], {
        env: { ...process.env, OPSC_URL: url, OPSC_API_KEY: key },
      });
      expect(node.stderr.toString()).toBe("");
      expect(JSON.parse(node.stdout.toString())).toMatchObject({ email: "root@example.com", isBun: false });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe("SDK errors", () => {
  test("expose the code", async () => {
    const anonymous = createOpsClient({ baseUrl: url });
    try {
      await anonymous.users.me.get.query();
      throw new Error("expected a refusal");
    } catch (error) {
      expect(errorCode(error)).toBe("UNAUTHORIZED");
    }
  });
});

// Last: it uses up the sign-in allowance of this client address.
describe("sign-in rate limit", () => {
  test("sign-in is rate limited per client behind the gateway, and a forged X-Forwarded-For does not reset it", async () => {
    const statuses: number[] = [];
    // The limit is 8 sign-ins a minute per client; earlier tests in this file used some of them.
    for (let attempt = 0; attempt < 9; attempt++) {
      const response = await fetch(`${url}/api/auth/sign-in/email`, {
        method: "POST",
        // A different forged address each time: if the services believed it, every attempt would be a new client.
        headers: {
          "content-type": "application/json",
          origin: url,
          "x-forwarded-for": `198.51.100.${attempt + 1}`,
        },
        body: JSON.stringify({ email: "nobody@example.com", password: "wrong password, again" }),
      });
      statuses.push(response.status);
    }
    const firstRefusal = statuses.indexOf(429);
    expect(firstRefusal).toBeGreaterThan(0);
    expect(statuses.slice(0, firstRefusal).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(firstRefusal).every((status) => status === 429)).toBe(true);
  });

  /** A sign-in attempt from another loopback address (curl can choose its source address; fetch cannot). */
  function signInFrom(sourceAddress: string, target: string, headers: string[] = []): number {
    const result = Bun.spawnSync([
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "--interface",
      sourceAddress,
      "-H",
      "content-type: application/json",
      "-H",
      `origin: ${url}`,
      ...headers.flatMap((header) => ["-H", header]),
      "--data",
      JSON.stringify({ email: "nobody@example.com", password: "wrong password, again" }),
      `${target}/api/auth/sign-in/email`,
    ]);
    return Number(result.stdout.toString());
  }

  test("another client behind the gateway has its own allowance: the forwarded address is the one counted", () => {
    // 127.0.0.1 is refused by now; a client at 127.0.0.2 reaches the same gateway and is only told the password is wrong.
    expect(signInFrom("127.0.0.1", url)).toBe(429);
    expect(signInFrom("127.0.0.2", url)).toBe(401);
  });

  test("X-Forwarded-For is believed only from the trusted gateway", () => {
    // Straight to the auth service from 127.0.0.3, which is not a trusted proxy: its forged header is ignored, so
    // it cannot pose as the fresh client 127.0.0.9, and exhausts its own allowance.
    const direct = `http://127.0.0.1:${deployment.ports.auth}`;
    const statuses = Array.from({ length: 9 }, () =>
      signInFrom("127.0.0.3", direct, ["x-forwarded-for: 127.0.0.9"]),
    );
    expect(statuses.at(-1)).toBe(429);
    expect(signInFrom("127.0.0.9", url)).toBe(401);
  });
});
