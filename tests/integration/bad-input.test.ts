/** Bad input gets a 400 that names the field, on both transports, and writes nothing. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startSystem, type TestSystem } from "../support/system.ts";

let system: TestSystem;
let headers: Record<string, string>;

beforeAll(async () => {
  system = await startSystem();
  headers = { authorization: `Bearer ${system.admin.token}`, "content-type": "application/json" };
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

const valid = { email: "new@example.com", name: "New", role: "viewer", password: "long enough password" };
const CASES: { name: string; body: unknown; field: string }[] = [
  { name: "wrong type", body: { ...valid, password: 12345678901234 }, field: "password" },
  {
    name: "missing field",
    body: { email: valid.email, name: valid.name, password: valid.password },
    field: "role",
  },
  { name: "oversize string", body: { ...valid, name: "x".repeat(101) }, field: "name" },
  { name: "bad enum value", body: { ...valid, role: "root" }, field: "role" },
  { name: "malformed e-mail", body: { ...valid, email: "not-an-email" }, field: "email" },
  { name: "unknown field", body: { ...valid, isAdmin: true }, field: "isAdmin" },
  { name: "short password", body: { ...valid, password: "short" }, field: "password" },
];

describe("bad input", () => {
  for (const testCase of CASES) {
    test(`REST: ${testCase.name} → 400 naming ${testCase.field}`, async () => {
      const response = await system.handle("http://localhost/api/v1/users/accounts", {
        method: "POST",
        headers,
        body: JSON.stringify(testCase.body),
      });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as {
        error: { code: string; message: string; issues: { path: string[] }[] };
      };
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toContain(testCase.field);
      expect(error.issues.map((issue) => issue.path.join("."))).toContain(testCase.field);
    });

    test(`tRPC: ${testCase.name} → 400 naming ${testCase.field}`, async () => {
      const response = await system.handle("http://localhost/trpc/users/accounts.create", {
        method: "POST",
        headers,
        body: JSON.stringify(testCase.body),
      });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as {
        error: { message: string; data: { issues: { path: string[] }[] } };
      };
      expect(error.message).toContain(testCase.field);
      expect(error.data.issues.length).toBeGreaterThan(0);
    });
  }

  test("a nested field is named by its path", async () => {
    const response = await system.handle(`http://localhost/api/v1/users/accounts/${system.admin.id}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ data: { role: 7 } }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("data.role");
  });

  test("a query parameter of the wrong type is named", async () => {
    const response = await system.handle("http://localhost/api/v1/users/accounts?limit=lots", { headers });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("limit");
  });

  test("the audit service's filters are named: a bad time on REST, a bad cursor on tRPC", async () => {
    const rest = await system.handle("http://localhost/api/v1/audit/records?to=tomorrow", { headers });
    expect(rest.status).toBe(400);
    expect(((await rest.json()) as { error: { message: string } }).error.message).toContain("to");
    const input = encodeURIComponent(JSON.stringify({ cursor: "last" }));
    const trpc = await system.handle(`http://localhost/trpc/audit/records.list?input=${input}`, { headers });
    expect(trpc.status).toBe(400);
    expect(await trpc.text()).toContain("cursor");
  });

  test("a body that is not JSON is a 400, not a 500", async () => {
    const response = await system.handle("http://localhost/api/v1/users/accounts", {
      method: "POST",
      headers,
      body: "{not json",
    });
    expect(response.status).toBe(400);
  });

  test("nothing was written by any rejected request", async () => {
    const users = await system.admin.client.users.accounts.list.query({ search: "new@example.com" });
    expect(users.total).toBe(0);
    const outbox = await system.authDb
      .selectFrom("audit_outbox")
      .select("action")
      .where("action", "=", "user.created")
      .execute();
    expect(outbox).toHaveLength(0);
  });
});
