import { describe, expect, test } from "bun:test";
import type { TRunDiff } from "@opsc/contracts/discovery/results";
import type { TRunProgress, TScanRun } from "@opsc/contracts/discovery/runs";
import type { TScan } from "@opsc/contracts/discovery/scans";
import {
  describePaging,
  describePort,
  describeProgress,
  formatPorts,
  formatPortsInput,
  formatSchedule,
  formatTags,
  isRunActive,
  normaliseScanErrors,
  pageBeyondEnd,
  pageHref,
  pageRequest,
  parsePage,
  parsePorts,
  parseTags,
  presentHost,
  presentPaging,
  progressPercent,
  runHref,
  scanChanges,
  scanFormValues,
  selectRun,
  splitList,
  summariseDiff,
} from "../app/lib/discovery.presenter.ts";

const progress = (done: number, total: number, hosts = 0): TRunProgress => ({
  addressesTotal: 8,
  addressesDone: 4,
  probesTotal: total,
  probesDone: done,
  hostsFound: hosts,
});

describe("discovery presenter", () => {
  test("active and final run states", () => {
    expect(isRunActive("queued")).toBe(true);
    expect(isRunActive("running")).toBe(true);
    for (const status of ["completed", "failed", "cancelled"] as const)
      expect(isRunActive(status)).toBe(false);
  });

  test("progress in whole percent, never past 100, 0 before planning", () => {
    expect(progressPercent(progress(0, 0))).toBe(0);
    expect(progressPercent(progress(1, 3))).toBe(33);
    expect(progressPercent(progress(5, 4))).toBe(100);
    expect(describeProgress(progress(1, 3, 1))).toBe("4/8 addresses · 1 host found");
    expect(describeProgress(progress(1, 3, 2))).toBe("4/8 addresses · 2 hosts found");
  });

  test("ports: comma lists, runs of ports, errors for anything else", () => {
    expect(parsePorts("22, 80,443")).toEqual({ ports: [22, 80, 443] });
    expect(parsePorts("8000-8002 9000")).toEqual({ ports: [8000, 8001, 8002, 9000] });
    expect(parsePorts("")).toEqual({ ports: [] });
    expect(parsePorts("22, http").error).toBe("Not a port number: http");
    expect(parsePorts("90-80").error).toBe("Not a usable port range: 90-80");
    expect(parsePorts("1-5000").error).toContain("Not a usable port range");
    expect(formatPorts([1, 2, 3])).toBe("1, 2, 3");
    expect(formatPorts([1, 2, 3, 4], 2)).toBe("1, 2 +2 more");
  });

  test("lists split on commas and spaces", () => {
    expect(splitList(" 10.0.0.0/24,  10.0.1.7 ,,fd00::/64 ")).toEqual([
      "10.0.0.0/24",
      "10.0.1.7",
      "fd00::/64",
    ]);
  });

  test("API field paths collapse onto the form's inputs", () => {
    expect(
      normaliseScanErrors({
        "ranges.1": "10.0.0.0/24 is not inside an allowed range",
        "ranges.0": "second",
        "ports.0": "Too big",
        "data.name": "Taken",
        "schedule.cron": "Bad cron",
      }),
    ).toEqual({
      ranges: "10.0.0.0/24 is not inside an allowed range",
      ports: "Too big",
      name: "Taken",
      "schedule.cron": "Bad cron",
    });
  });

  test("tags round-trip through the text box", () => {
    expect(formatTags({ discovered: "yes", service: "ssh" })).toBe("discovered=yes, service=ssh");
    expect(parseTags("discovered=yes, service = ssh,")).toEqual({
      tags: { discovered: "yes", service: "ssh" },
    });
    expect(parseTags("")).toEqual({ tags: {} });
    expect(parseTags("discovered").error).toBe("Write tags as key=value: discovered");
    expect(parseTags("=yes").error).toContain("key=value");
  });

  test("schedules and ports as shown", () => {
    expect(formatSchedule(null)).toBe("Manual");
    expect(formatSchedule({ cron: "0 3 * * *", timeZone: "Europe/Berlin" })).toBe(
      "0 3 * * * (Europe/Berlin)",
    );
    const http = { status: 200, server: "nginx", title: "Home", tls: false };
    expect(describePort({ port: 80, service: "http", banner: null, http, latencyMs: 1 })).toBe(
      "HTTP 200 · “Home” · nginx",
    );
    expect(describePort({ port: 22, service: "ssh", banner: "SSH-2.0-x", http: null, latencyMs: 1 })).toBe(
      "SSH-2.0-x",
    );
    expect(describePort({ port: 9, service: null, banner: null, http: null, latencyMs: 1 })).toBe("");
  });

  test("hosts become rows", () => {
    const row = presentHost({
      address: "10.0.0.7",
      hostname: null,
      osHint: null,
      ports: [{ port: 22, service: "ssh", banner: "SSH-2.0-x", http: null, latencyMs: 2 }],
      importedTargetId: "t1",
    });
    expect(row).toEqual({
      address: "10.0.0.7",
      hostname: "—",
      ports: [{ port: 22, service: "ssh", detail: "SSH-2.0-x" }],
      importedTargetId: "t1",
    });
  });

  test("the selected run: the requested one of the scan, else the newest", () => {
    const runs = [{ id: "b" }, { id: "a" }] as TScanRun[];
    expect(selectRun(runs, "a")?.id).toBe("a");
    expect(selectRun(runs, "zzz")?.id).toBe("b");
    expect(selectRun(runs, null)?.id).toBe("b");
    expect(selectRun([], "a")).toBeNull();
  });

  test("diff counts", () => {
    const diff = { runId: "r", previousRunId: null, new: [{}, {}], changed: [], known: [{}], vanished: [] };
    expect(summariseDiff(diff as unknown as TRunDiff)).toEqual({ new: 2, changed: 0, known: 1, vanished: 0 });
  });
});

const scan: TScan = {
  id: "0b7e3c1e-7d0f-4a39-9a53-1f6a2c8d9e01",
  name: "Lab sweep",
  description: "Nightly",
  ranges: ["10.20.0.0/24", "10.20.1.7/32"],
  ports: [22, 80, 8000, 8001, 8002],
  timeoutMs: 1000,
  concurrency: 200,
  reverseDns: false,
  schedule: { cron: "0 3 * * *", timeZone: "Europe/Berlin" },
  nextRunAt: null,
  addressCount: 257,
  lastRun: null,
  createdBy: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

describe("discovery paging", () => {
  test("the page comes from the URL: a positive whole number, else 1, never past the API's offsets", () => {
    const page = (search: string) => parsePage(new URLSearchParams(search), 20);
    expect(page("")).toBe(1);
    expect(page("page=3")).toBe(3);
    expect(page("page=0")).toBe(1);
    expect(page("page=-2")).toBe(1);
    expect(page("page=2.5")).toBe(1);
    expect(page("page=abc")).toBe(1);
    expect(page("page=999999999")).toBe(50_001);
    expect(pageRequest(50_001, 20).offset).toBe(1_000_000);
    expect(parsePage(new URLSearchParams("runs=4"), 20, "runs")).toBe(4);
  });

  test("a page asks for its slice of the list", () => {
    expect(pageRequest(1, 20)).toEqual({ limit: 20, offset: 0 });
    expect(pageRequest(3, 20)).toEqual({ limit: 20, offset: 40 });
  });

  test("the span shown, the page count and the neighbours", () => {
    expect(presentPaging(1, 20, 45, 20)).toEqual({
      page: 1,
      size: 20,
      total: 45,
      from: 1,
      to: 20,
      pageCount: 3,
      previous: null,
      next: 2,
    });
    const middle = presentPaging(2, 20, 45, 20);
    expect([middle.from, middle.to, middle.previous, middle.next]).toEqual([21, 40, 1, 3]);
    const last = presentPaging(3, 20, 45, 5);
    expect([last.from, last.to, last.previous, last.next]).toEqual([41, 45, 2, null]);
    expect(describePaging(middle)).toBe("21–40 of 45");
    expect(describePaging(last)).toBe("41–45 of 45");
    expect(describePaging(presentPaging(1, 20, 12_345, 20))).toBe("1–20 of 12,345");
  });

  test("an empty list is one page with nothing shown", () => {
    const empty = presentPaging(1, 20, 0, 0);
    expect([empty.from, empty.to, empty.pageCount, empty.previous, empty.next]).toEqual([
      0,
      0,
      1,
      null,
      null,
    ]);
    // Exactly full pages have no empty page after them.
    expect(presentPaging(2, 20, 40, 20).next).toBeNull();
  });

  test("a page past the end of a list that shrank goes to its last page", () => {
    expect(pageBeyondEnd(1, 20, 0)).toBeNull();
    expect(pageBeyondEnd(2, 20, 21)).toBeNull();
    expect(pageBeyondEnd(2, 20, 20)).toBe(1);
    expect(pageBeyondEnd(9, 20, 45)).toBe(3);
    expect(pageBeyondEnd(3, 20, 0)).toBe(1);
  });

  test("links to other pages and runs keep the rest of the URL", () => {
    expect(pageHref("", 2)).toBe("?page=2");
    expect(pageHref("?page=2", 1)).toBe("?");
    expect(pageHref("?run=abc&page=2", 3)).toBe("?run=abc&page=3");
    expect(runHref("?page=2", "r1")).toBe("?page=2&run=r1");
    expect(runHref("?page=2&run=r0", "r1")).toBe("?page=2&run=r1");
  });
});

describe("the scan form", () => {
  test("ports for the text box: consecutive runs of three or more as ranges, round-tripping through parsePorts", () => {
    expect(formatPortsInput([443, 22, 80, 8002, 8000, 8001, 22])).toBe("22, 80, 443, 8000-8002");
    expect(formatPortsInput([1, 2, 4, 5, 6])).toBe("1, 2, 4-6");
    expect(formatPortsInput([])).toBe("");
    const ports = [21, 22, 23, 25, 80, 443, 3000, 3001, 8080];
    expect(parsePorts(formatPortsInput(ports))).toEqual({ ports });
  });

  test("a new scan starts empty; an edited one with its own values", () => {
    expect(scanFormValues(null)).toEqual({
      name: "",
      description: "",
      ranges: "",
      ports: "",
      timeoutMs: "",
      concurrency: "",
      cron: "",
      timeZone: "",
      reverseDns: false,
    });
    expect(scanFormValues(scan)).toEqual({
      name: "Lab sweep",
      description: "Nightly",
      ranges: "10.20.0.0/24, 10.20.1.7/32",
      ports: "22, 80, 8000-8002",
      timeoutMs: "1000",
      concurrency: "200",
      cron: "0 3 * * *",
      timeZone: "Europe/Berlin",
      reverseDns: false,
    });
    expect(scanFormValues({ ...scan, schedule: null }).cron).toBe("");
  });

  const unchanged = {
    name: "Lab sweep",
    description: "Nightly",
    ranges: ["10.20.0.0/24", "10.20.1.7/32"],
    ports: [8002, 22, 80, 8000, 8001],
    timeoutMs: 1000,
    concurrency: 200,
    reverseDns: false,
    schedule: { cron: "0 3 * * *", timeZone: "Europe/Berlin" },
  };

  test("the form as submitted unchanged changes nothing (ports in another order included)", () => {
    expect(scanChanges(scan, unchanged)).toEqual({});
    // Empty number boxes keep the scan's values.
    expect(scanChanges(scan, { ...unchanged, timeoutMs: undefined, concurrency: undefined })).toEqual({});
  });

  test("only the fields that differ are sent", () => {
    expect(scanChanges(scan, { ...unchanged, name: "Lab sweep 2" })).toEqual({ name: "Lab sweep 2" });
    expect(
      scanChanges(scan, {
        ...unchanged,
        ranges: ["10.20.0.0/24"],
        ports: [22, 443],
        timeoutMs: 500,
        concurrency: 10,
        reverseDns: true,
        description: "",
      }),
    ).toEqual({
      ranges: ["10.20.0.0/24"],
      ports: [22, 443],
      timeoutMs: 500,
      concurrency: 10,
      reverseDns: true,
      description: "",
    });
  });

  test("schedules: cleared, changed in cron or zone, or kept", () => {
    expect(scanChanges(scan, { ...unchanged, schedule: null })).toEqual({ schedule: null });
    expect(
      scanChanges(scan, { ...unchanged, schedule: { cron: "0 4 * * *", timeZone: "Europe/Berlin" } }),
    ).toEqual({ schedule: { cron: "0 4 * * *", timeZone: "Europe/Berlin" } });
    expect(scanChanges(scan, { ...unchanged, schedule: { cron: "0 3 * * *", timeZone: "UTC" } })).toEqual({
      schedule: { cron: "0 3 * * *", timeZone: "UTC" },
    });
    const manual = { ...scan, schedule: null };
    expect(scanChanges(manual, { ...unchanged, schedule: null })).toEqual({});
    // The API's default zone is UTC, so a cron without one matches a UTC schedule.
    const utc = { ...scan, schedule: { cron: "0 3 * * *", timeZone: "UTC" } };
    expect(scanChanges(utc, { ...unchanged, schedule: { cron: "0 3 * * *" } })).toEqual({});
  });
});
