import { describe, expect, test } from "bun:test";
import { presentApiKeys } from "../app/lib/api-keys.presenter.ts";
import { safeNextPath } from "../app/lib/format.ts";
import { hasRole, rolesUpTo } from "../app/lib/roles.ts";
import { nextTheme } from "../app/lib/theme.ts";
import {
  parseUsersQuery,
  presentUsersPage,
  toListUsersRequest,
  toUsersSearchParams,
  USERS_PAGE_SIZE,
} from "../app/lib/users.presenter.ts";

const user = (index: number) => ({
  id: `u${index}`,
  email: `user${index}@example.com`,
  name: `User ${index}`,
  role: "viewer" as const,
  disabled: false,
  disabledReason: null,
  twoFactorEnabled: false,
  createdAt: "2026-11-26T10:00:00.000Z",
  updatedAt: "2026-11-26T10:00:00.000Z",
});

describe("users query", () => {
  test("parses the URL and ignores junk", () => {
    expect(parseUsersQuery(new URLSearchParams("q=%20ana%20&role=admin&page=3"))).toEqual({
      search: "ana",
      role: "admin",
      page: 3,
    });
    expect(parseUsersQuery(new URLSearchParams("role=root&page=-2"))).toEqual({
      search: "",
      role: null,
      page: 1,
    });
    expect(parseUsersQuery(new URLSearchParams("page=abc"))).toEqual({ search: "", role: null, page: 1 });
  });

  test("round-trips through the URL without defaults", () => {
    expect(toUsersSearchParams({ search: "", role: null, page: 1 }).toString()).toBe("");
    expect(toUsersSearchParams({ search: "a b", role: "operator", page: 2 }).toString()).toBe(
      "q=a+b&role=operator&page=2",
    );
  });

  test("maps a page to limit and offset", () => {
    expect(toListUsersRequest({ search: "x", role: null, page: 3 })).toEqual({
      search: "x",
      limit: USERS_PAGE_SIZE,
      offset: 2 * USERS_PAGE_SIZE,
    });
  });

  test("summarises paging", () => {
    const page = presentUsersPage(
      { search: "", role: null, page: 2 },
      { items: [user(21), user(22)], total: 22 },
    );
    expect(page).toMatchObject({ from: 21, to: 22, pageCount: 2, hasPrevious: true, hasNext: false });
    const empty = presentUsersPage({ search: "zzz", role: null, page: 1 }, { items: [], total: 0 });
    expect(empty).toMatchObject({ from: 0, to: 0, pageCount: 1, hasPrevious: false, hasNext: false });
  });
});

describe("roles", () => {
  test("admin > operator > viewer", () => {
    expect(hasRole("admin", "operator")).toBe(true);
    expect(hasRole("operator", "admin")).toBe(false);
    expect(rolesUpTo("operator")).toEqual(["viewer", "operator"]);
    expect(rolesUpTo("viewer")).toEqual(["viewer"]);
  });
});

describe("safeNextPath", () => {
  test.each([
    ["/users?q=a", "/users?q=a"],
    [null, "/"],
    ["https://evil.example", "/"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
  ])("%p -> %p", (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });
});

test("the theme toggle cycles system → light → dark", () => {
  expect([nextTheme("system"), nextTheme("light"), nextTheme("dark")]).toEqual(["light", "dark", "system"]);
});

test("API keys show a preview, never the secret, and flag expired keys", () => {
  const [row] = presentApiKeys(
    [
      {
        id: "k1",
        name: "ci",
        start: "opsc_ab",
        role: "viewer",
        enabled: true,
        expiresAt: "2026-01-01T00:00:00.000Z",
        lastUsedAt: null,
        createdAt: "2025-12-01T00:00:00.000Z",
      },
    ],
    new Date("2026-06-01T00:00:00.000Z"),
  );
  expect(row).toMatchObject({ preview: "opsc_ab…", lastUsed: "Never", isExpired: true });
});
