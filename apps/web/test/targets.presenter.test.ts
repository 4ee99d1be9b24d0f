import { describe, expect, test } from "bun:test";
import type { TCredential } from "@opsc/contracts/targets/credentials";
import type { TTarget } from "@opsc/contracts/targets/targets";
import {
  CREDENTIAL_KINDS,
  credentialOptions,
  presentCredential,
  presentCredentials,
  SECRET_FIELDS,
} from "../app/lib/credentials.presenter.ts";
import {
  defaultPort,
  describeBulkResult,
  EMPTY_TARGETS_QUERY,
  exportFileName,
  formatAgo,
  formatEndpoint,
  formatLatency,
  formatOfFileName,
  hasNonSelectorFilters,
  normaliseFieldErrors,
  parseBulkTags,
  parseTagFilters,
  parseTargetsQuery,
  presentConnectionTest,
  presentHealth,
  presentHealthHistory,
  presentImportReport,
  presentSelectorError,
  presentSelectorFailure,
  presentTargetRow,
  presentTargetsPage,
  TARGETS_PAGE_SIZE,
  tagChips,
  tagRowsOf,
  tagsFromRows,
  toListTargetsRequest,
  toTargetsSearchParams,
  unplacedErrors,
  wholeNumber,
} from "../app/lib/targets.presenter.ts";

const NOW = new Date("2026-11-26T12:00:00.000Z");

function target(index: number, overrides: Partial<TTarget> = {}): TTarget {
  return {
    id: `t${index}`,
    name: `web-${index}`,
    address: `10.0.0.${index}`,
    port: 22,
    kind: "ssh",
    tags: { role: "web", env: "prod" },
    description: "",
    enabled: true,
    maintenance: false,
    ownerId: null,
    credentialId: null,
    sudoCredentialId: null,
    http: null,
    healthIntervalSeconds: null,
    health: {
      status: "up",
      latencyMs: 12.4,
      error: null,
      checkedAt: "2026-11-26T11:57:00.000Z",
      changedAt: null,
    },
    hostKey: null,
    createdAt: "2026-11-26T10:00:00.000Z",
    updatedAt: "2026-11-26T10:00:00.000Z",
    ...overrides,
  };
}

function credential(overrides: Partial<TCredential>): TCredential {
  return {
    id: "c1",
    name: "deploy-key",
    kind: "ssh_key",
    username: "deploy",
    headerName: null,
    fingerprint: "SHA256:abc",
    hasPassphrase: false,
    description: "",
    usedBy: 0,
    createdAt: "2026-11-26T10:00:00.000Z",
    updatedAt: "2026-11-26T10:00:00.000Z",
    ...overrides,
  };
}

describe("targets query", () => {
  test("parses the URL, keeping valid values and dropping junk", () => {
    const query = parseTargetsQuery(
      new URLSearchParams(
        "q=%20web%20&kind=ssh&health=down&tag=env=prod&tag=junk&selector=role+in+(web)&enabled=false&pages=abc,d_e-f,bad!cursor",
      ),
    );
    expect(query).toEqual({
      search: "web",
      kind: "ssh",
      health: "down",
      tags: ["env=prod"],
      selector: "role in (web)",
      enabled: "false",
      cursors: ["abc", "d_e-f"],
    });
    expect(parseTargetsQuery(new URLSearchParams("kind=ftp&health=sick&enabled=maybe"))).toEqual(
      EMPTY_TARGETS_QUERY,
    );
  });

  test("round-trips through the URL without defaults", () => {
    expect(toTargetsSearchParams(EMPTY_TARGETS_QUERY).toString()).toBe("");
    const query = {
      ...EMPTY_TARGETS_QUERY,
      search: "a b",
      tags: ["env=prod", "team=core"],
      cursors: ["c1", "c2"],
    };
    const params = toTargetsSearchParams(query);
    expect(params.toString()).toBe("q=a+b&tag=env%3Dprod&tag=team%3Dcore&pages=c1%2Cc2");
    expect(parseTargetsQuery(params)).toEqual(query);
  });

  test("asks the API for one page after the last cursor of the stack", () => {
    expect(toListTargetsRequest(EMPTY_TARGETS_QUERY)).toEqual({ limit: TARGETS_PAGE_SIZE });
    expect(
      toListTargetsRequest({
        ...EMPTY_TARGETS_QUERY,
        kind: "http",
        tags: ["env=prod"],
        selector: "env=prod",
        enabled: "true",
        cursors: ["c1", "c2"],
      }),
    ).toEqual({
      kind: "http",
      tag: ["env=prod"],
      selector: "env=prod",
      enabled: "true",
      limit: TARGETS_PAGE_SIZE,
      cursor: "c2",
    });
  });

  test("knows when a filter other than the selector is on", () => {
    expect(hasNonSelectorFilters({ ...EMPTY_TARGETS_QUERY, selector: "env=prod" })).toBe(false);
    expect(hasNonSelectorFilters({ ...EMPTY_TARGETS_QUERY, health: "down" })).toBe(true);
  });

  test("reads tag filters typed as words", () => {
    expect(parseTagFilters(" env=prod, team=core  oops =x")).toEqual({
      tags: ["env=prod", "team=core"],
      invalid: ["oops", "=x"],
    });
  });
});

describe("targets page", () => {
  const items = Array.from({ length: 3 }, (_, index) => target(index));

  test("keyset paging pushes and pops the cursor stack", () => {
    const first = presentTargetsPage(EMPTY_TARGETS_QUERY, { items, nextCursor: "n1", total: 120 });
    expect(first).toMatchObject({ from: 1, to: 3, hasPrevious: false, hasNext: true, previous: null });
    expect(first.next?.cursors).toEqual(["n1"]);

    const third = presentTargetsPage(
      { ...EMPTY_TARGETS_QUERY, cursors: ["n1", "n2"] },
      { items, nextCursor: null, total: 103 },
    );
    expect(third).toMatchObject({
      from: 2 * TARGETS_PAGE_SIZE + 1,
      to: 2 * TARGETS_PAGE_SIZE + 3,
      hasNext: false,
    });
    expect(third.previous?.cursors).toEqual(["n1"]);
    expect(third.next).toBeNull();

    const empty = presentTargetsPage(EMPTY_TARGETS_QUERY, { items: [], nextCursor: null, total: 0 });
    expect(empty).toMatchObject({ from: 0, to: 0 });
  });

  test("a refused selector empties the list and keeps the message", () => {
    const page = presentSelectorFailure(
      { ...EMPTY_TARGETS_QUERY, selector: "env=" },
      "selector: at column 5",
    );
    expect(page.targets).toEqual([]);
    expect(page.selectorError).toBe("selector: at column 5");
  });

  test("a row shows endpoint, sorted tag chips and health", () => {
    const row = presentTargetRow(target(7, { address: "fd00::7", port: 2222 }), NOW);
    expect(row.endpoint).toBe("[fd00::7]:2222");
    expect(row.tags.map((tag) => tag.label)).toEqual(["env=prod", "role=web"]);
    expect(row.health).toMatchObject({
      label: "Up",
      tone: "green",
      latency: "12 ms",
      checked: "checked 3 min ago",
    });
  });

  test("health without a check says so", () => {
    const health = presentHealth(
      { status: "unknown", latencyMs: null, error: null, checkedAt: null, changedAt: null },
      NOW,
    );
    expect(health).toMatchObject({
      label: "Unknown",
      tone: "neutral",
      latency: null,
      checked: "never checked",
    });
  });
});

describe("formatting", () => {
  test("latency", () => {
    expect(formatLatency(null)).toBe("—");
    expect(formatLatency(0.4)).toBe("0 ms");
    expect(formatLatency(999)).toBe("999 ms");
    expect(formatLatency(1234)).toBe("1.23 s");
    expect(formatLatency(12_345)).toBe("12.3 s");
  });

  test.each([
    ["2026-11-26T12:00:03.000Z", "just now"],
    ["2026-11-26T12:05:00.000Z", "just now"],
    ["2026-11-26T11:59:18.000Z", "42 s ago"],
    ["2026-11-26T11:55:00.000Z", "5 min ago"],
    ["2026-11-26T09:00:00.000Z", "3 h ago"],
    ["2026-11-23T12:00:00.000Z", "3 d ago"],
  ])("%s is %s", (iso, expected) => {
    expect(formatAgo(iso, NOW)).toBe(expected);
  });

  test("endpoints", () => {
    expect(formatEndpoint("db.example.com", 5432)).toBe("db.example.com:5432");
    expect(formatEndpoint("::1", 22)).toBe("[::1]:22");
  });

  test("tag chips show a bare key for an empty value", () => {
    expect(tagChips({ b: "", a: "1" }).map((chip) => chip.label)).toEqual(["a=1", "b"]);
  });
});

describe("selector errors", () => {
  test("underline the column the parser stopped at", () => {
    const view = presentSelectorError(
      "env=prod role in web",
      'selector: at column 18, expected "(" but found "w"',
    );
    expect(view).toEqual({
      message: 'at column 18, expected "(" but found "w"',
      column: 18,
      before: "env=prod role in ",
      at: "w",
      after: "eb",
    });
  });

  test("past the end, a space stands in for the missing character", () => {
    const view = presentSelectorError("env=", "selector: at column 5, expected a value but found the end");
    expect(view).toMatchObject({ column: 5, before: "env=", at: " ", after: "" });
  });

  test("a message without a column keeps the selector whole", () => {
    expect(presentSelectorError("x", "something else")).toMatchObject({ column: null, before: "x", at: "" });
  });
});

describe("forms", () => {
  test("field errors from create and update land on the same inputs", () => {
    expect(
      normaliseFieldErrors({
        "data.name": "Too long",
        "tags.bad key": "tag keys: letters",
        "tags.other": "second tag problem",
        "http.path": "starts with /",
        "data.secret.password": "Too short",
        _: "general",
      }),
    ).toEqual({
      name: "Too long",
      tags: "bad key: tag keys: letters",
      "http.path": "starts with /",
      "secret.password": "Too short",
      _: "general",
    });
  });

  test("errors no field shows are listed for the alert", () => {
    expect(unplacedErrors({ name: "x", id: "No such target", _: "Oops" }, ["name"])).toEqual([
      "id: No such target",
      "Oops",
    ]);
  });

  test("tag rows", () => {
    expect(tagRowsOf({})).toEqual([{ key: "", value: "" }]);
    expect(tagRowsOf({ role: "web", env: "prod" })).toEqual([
      { key: "env", value: "prod" },
      { key: "role", value: "web" },
    ]);
    expect(
      tagsFromRows([
        { key: " env ", value: " prod " },
        { key: "", value: "" },
        { key: "flag", value: "" },
      ]),
    ).toEqual({ tags: { env: "prod", flag: "" }, error: null });
    expect(tagsFromRows([{ key: "", value: "orphan" }]).error).toContain("has no key");
    expect(
      tagsFromRows([
        { key: "env", value: "a" },
        { key: "env", value: "b" },
      ]).error,
    ).toContain("appears twice");
  });

  test("bulk tags", () => {
    expect(parseBulkTags("env=prod, team=core", "tag")).toEqual({
      tags: { env: "prod", team: "core" },
      error: null,
    });
    expect(parseBulkTags("env", "tag").error).toContain("not key=value");
    expect(parseBulkTags("env team=x", "untag")).toEqual({ tags: { env: "", team: "" }, error: null });
    expect(parseBulkTags("  ", "untag").error).toBe("Enter at least one key");
  });

  test("whole numbers", () => {
    expect(wholeNumber("")).toBeUndefined();
    expect(wholeNumber(" 8080 ")).toBe(8080);
    expect(wholeNumber("80.5")).toBeNaN();
    expect(wholeNumber("-1")).toBeNaN();
  });

  test("default ports follow the kind and scheme", () => {
    expect(defaultPort("ssh")).toBe(22);
    expect(defaultPort("http", "https")).toBe(443);
    expect(defaultPort("http", "http")).toBe(80);
  });

  test("bulk results read as sentences", () => {
    expect(describeBulkResult("tag", 2)).toBe("Tagged 2 targets.");
    expect(describeBulkResult("delete", 1)).toBe("Deleted 1 target.");
    expect(describeBulkResult("maintenance_on", 3)).toBe("Put 3 targets in maintenance.");
  });
});

describe("import and export", () => {
  test("file names", () => {
    expect(formatOfFileName("hosts.CSV")).toBe("csv");
    expect(formatOfFileName("hosts.yml")).toBe("yaml");
    expect(formatOfFileName("hosts.txt")).toBeNull();
    expect(exportFileName("yaml", NOW)).toBe("targets-2026-11-26.yaml");
  });

  test("a dry run report with errors cannot be applied", () => {
    const view = presentImportReport({
      dryRun: true,
      create: [{ name: "a", address: "10.0.0.1", kind: "ssh" }],
      update: [{ name: "b", changes: ["tags", "port"] }],
      unchanged: 3,
      errors: [
        { line: 7, field: "address", message: "Invalid" },
        { line: 3, field: null, message: "a appears twice" },
      ],
      applied: false,
    });
    expect(view.summary).toBe("1 to create, 1 to update, 3 unchanged, 2 errors");
    expect(view.errors.map((error) => error.line)).toEqual([3, 7]);
    expect(new Set(view.errors.map((error) => error.key)).size).toBe(2);
    expect(view.canApply).toBe(false);
  });

  test("a clean report can be applied, and an applied one says what happened", () => {
    const report = {
      dryRun: false,
      create: [{ name: "a", address: "10.0.0.1", kind: "ssh" as const }],
      update: [],
      unchanged: 0,
      errors: [],
      applied: true,
    };
    expect(presentImportReport(report)).toMatchObject({
      summary: "1 created, 0 updated, 0 unchanged",
      canApply: true,
    });
    expect(presentImportReport({ ...report, create: [], applied: false }).canApply).toBe(false);
  });
});

describe("connection test", () => {
  test("a success names the latency and detail, and a freshly pinned key", () => {
    const view = presentConnectionTest({
      ok: true,
      latencyMs: 31.6,
      error: null,
      hostKey: { algorithm: "ssh-ed25519", fingerprintSha256: "SHA256:xyz", pinnedNow: true },
      detail: "SSH-2.0-OpenSSH_9.6",
    });
    expect(view).toMatchObject({
      ok: true,
      headline: "Connection works",
      latency: "32 ms",
      detail: "SSH-2.0-OpenSSH_9.6",
      explanation: null,
      hostKey: { fingerprint: "SHA256:xyz", pinnedNow: true },
    });
  });

  test("a failure explains the error kind in plain words", () => {
    const view = presentConnectionTest({
      ok: false,
      latencyMs: 10_000,
      error: { kind: "host_key_mismatch", message: "expected SHA256:a, got SHA256:b" },
      hostKey: null,
      detail: null,
    });
    expect(view.headline).toBe("Connection failed");
    expect(view.explanation).toContain("different host key");
    expect(view.errorMessage).toBe("expected SHA256:a, got SHA256:b");
  });
});

describe("health history", () => {
  const checks = [
    { status: "down" as const, latencyMs: null, error: "timeout", checkedAt: "2026-11-26T11:59:00.000Z" },
    { status: "up" as const, latencyMs: 20, error: null, checkedAt: "2026-11-26T11:58:00.000Z" },
    { status: "up" as const, latencyMs: 10, error: null, checkedAt: "2026-11-26T11:57:00.000Z" },
    { status: "degraded" as const, latencyMs: 900, error: null, checkedAt: "2026-11-26T11:56:00.000Z" },
  ];

  test("the chart gets oldest first, outages on the baseline", () => {
    const view = presentHealthHistory(checks, NOW);
    expect(view.points.map((point) => point.status)).toEqual(["degraded", "up", "up", "down"]);
    expect(view.points.at(-1)).toMatchObject({ latency: null, outage: 0, color: "#ef4444" });
    expect(view.points[0]).toMatchObject({ latency: 900, outage: null });
  });

  test("the list gets the latest few, and a summary", () => {
    const view = presentHealthHistory(checks, NOW, 2);
    expect(view.latest.map((check) => check.label)).toEqual(["Down", "Up"]);
    expect(view.latest[0]).toMatchObject({ latency: "—", ago: "1 min ago", error: "timeout" });
    expect(view.summary).toBe("50% up over 4 checks · median 20 ms");
    expect(presentHealthHistory([], NOW).summary).toBeNull();
  });
});

describe("credentials", () => {
  test("every kind has its secret fields, named by the API's path", () => {
    for (const kind of CREDENTIAL_KINDS) {
      expect(SECRET_FIELDS[kind].length).toBeGreaterThan(0);
      for (const field of SECRET_FIELDS[kind]) expect(field.name).toStartWith("secret.");
    }
    expect(SECRET_FIELDS.ssh_key.map((field) => field.name)).toEqual([
      "secret.username",
      "secret.privateKey",
      "secret.passphrase",
    ]);
  });

  test("pickers offer only the kinds that fit a slot", () => {
    const all = [
      credential({ id: "k", name: "key", kind: "ssh_key" }),
      credential({ id: "p", name: "pass", kind: "ssh_password" }),
      credential({ id: "s", name: "sudo", kind: "sudo_password", username: null }),
      credential({ id: "b", name: "bearer", kind: "http_bearer", username: null }),
      credential({ id: "h", name: "header", kind: "http_header", username: null, headerName: "X-Key" }),
    ];
    expect(credentialOptions(all, "ssh", "credentialId").map((option) => option.value)).toEqual([
      "",
      "k",
      "p",
    ]);
    expect(credentialOptions(all, "ssh", "sudoCredentialId").map((option) => option.value)).toEqual([
      "",
      "s",
    ]);
    expect(credentialOptions(all, "http", "credentialId").map((option) => option.value)).toEqual([
      "",
      "b",
      "h",
    ]);
    expect(credentialOptions(all, "http", "sudoCredentialId")).toEqual([{ value: "", label: "None" }]);
    expect(credentialOptions(all, "ssh", "credentialId")[1]?.label).toBe("key (SSH key, deploy)");
  });

  test("rows show who the secret is for and how often it is used, never the secret", () => {
    expect(presentCredential(credential({ usedBy: 2 }))).toMatchObject({
      identity: "deploy",
      usage: "2 targets",
      kindLabel: "SSH key",
    });
    expect(
      presentCredential(credential({ kind: "http_header", username: null, headerName: "X-Key" })),
    ).toMatchObject({ identity: "X-Key:", usage: "Not used" });
    expect(presentCredential(credential({ kind: "http_bearer", username: null })).identity).toBe("—");
    expect(
      presentCredentials([credential({ id: "2", name: "b" }), credential({ id: "1", name: "a" })]).map(
        (row) => row.name,
      ),
    ).toEqual(["a", "b"]);
  });
});
