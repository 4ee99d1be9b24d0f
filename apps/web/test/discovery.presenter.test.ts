import { describe, expect, test } from "bun:test";
import type { TRunDiff } from "@opsc/contracts/discovery/results";
import type { TRunProgress, TScanRun } from "@opsc/contracts/discovery/runs";
import {
  describePort,
  describeProgress,
  formatPorts,
  formatSchedule,
  formatTags,
  isRunActive,
  normaliseScanErrors,
  parsePorts,
  parseTags,
  presentHost,
  progressPercent,
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
