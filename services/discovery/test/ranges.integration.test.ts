import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rejection } from "../../../tests/support/errors.ts";
import type { SignedInUser } from "../../../tests/support/system.ts";
import { startSystem, type TestSystem } from "../../../tests/support/system.ts";

let system: TestSystem;
let operator: SignedInUser;
const admin = () => system.admin.client.discovery.ranges;

beforeAll(async () => {
  system = await startSystem();
  operator = await system.createUser("operator");
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

describe("allowed ranges", () => {
  test("admins add IPv4 and IPv6 ranges, stored normalised", async () => {
    const v4 = await admin().create.mutate({ cidr: "127.1.2.77/24", description: "loopback lab" });
    expect(v4).toMatchObject({
      cidr: "127.1.2.0/24",
      family: 4,
      description: "loopback lab",
      createdBy: system.admin.id,
    });
    const v6 = await admin().create.mutate({ cidr: "FD00:0:0:0::/64" });
    expect(v6).toMatchObject({ cidr: "fd00::/64", family: 6, description: "" });
    const host = await admin().create.mutate({ cidr: "127.1.3.9" });
    expect(host.cidr).toBe("127.1.3.9/32");
    const { items } = await operator.client.discovery.ranges.list.query();
    expect(items.map((item) => item.cidr)).toEqual(["127.1.2.0/24", "127.1.3.9/32", "fd00::/64"]);
  });

  test("the same range twice is a conflict on cidr, whatever its spelling", async () => {
    expect(await rejection(admin().create.mutate({ cidr: "127.1.2.0/24" }))).toMatchObject({
      code: "CONFLICT",
      fields: { cidr: "This range is already allowed" },
    });
    expect((await rejection(admin().create.mutate({ cidr: "fd00:0::1/64" }))).code).toBe("CONFLICT");
  });

  test("bad ranges are a 400 naming the field, on both transports", async () => {
    for (const cidr of ["10.0.0.0/33", "not-a-range", "10.0.0/8", "::ffff:10.0.0.0/104"]) {
      const failure = await rejection(admin().create.mutate({ cidr }));
      expect(failure.code).toBe("BAD_REQUEST");
      expect(Object.keys(failure.fields)).toEqual(["cidr"]);
    }
    const response = await system.handle("http://localhost/api/v1/discovery/ranges", {
      method: "POST",
      headers: { authorization: `Bearer ${system.admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ cidr: "300.1.1.0/24", extra: true }),
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string; issues: { path: string[] }[] } };
    expect(error.issues.map((issue) => issue.path.join("."))).toEqual(
      expect.arrayContaining(["cidr", "extra"]),
    );
  });

  test("update and delete; unknown ids are 404, malformed ids 400", async () => {
    const range = await admin().create.mutate({ cidr: "127.1.4.0/30" });
    const updated = await admin().update.mutate({
      id: range.id,
      data: { cidr: "127.1.4.0/29", description: "wider" },
    });
    expect(updated).toMatchObject({ cidr: "127.1.4.0/29", description: "wider" });
    expect(await admin().delete.mutate({ id: range.id })).toEqual({ success: true });
    expect((await rejection(admin().delete.mutate({ id: range.id }))).code).toBe("NOT_FOUND");
    expect(await rejection(admin().delete.mutate({ id: "nope" }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  test("only admins change ranges", async () => {
    expect(
      (await rejection(operator.client.discovery.ranges.create.mutate({ cidr: "127.1.8.0/24" }))).code,
    ).toBe("FORBIDDEN");
  });

  test("every change is audited in the same transaction", async () => {
    const rows = await system.discoveryDb
      .selectFrom("audit_outbox")
      .select(["action", "actor_id", "resource_type", "after", "before"])
      .orderBy("id")
      .execute();
    const actions = rows.map((row) => row.action);
    expect(actions.filter((action) => action === "discovery.range.created")).toHaveLength(4);
    expect(actions).toContain("discovery.range.updated");
    expect(actions).toContain("discovery.range.deleted");
    const updated = rows.find((row) => row.action === "discovery.range.updated")!;
    expect(updated).toMatchObject({
      actor_id: system.admin.id,
      resource_type: "discovery_range",
      before: { cidr: "127.1.4.0/30" },
      after: { cidr: "127.1.4.0/29" },
    });
  });
});
