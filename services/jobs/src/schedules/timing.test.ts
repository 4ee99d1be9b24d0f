import { describe, expect, test } from "bun:test";
import {
  countSlots,
  nextSlotAfter,
  nextSlots,
  parseCron,
  shortestGapSeconds,
  type Timing,
  TimingError,
} from "./timing.ts";

const at = (iso: string) => new Date(iso);
const iso = (dates: (Date | null)[]) => dates.map((date) => date?.toISOString() ?? null);
const cron = (expression: string, timeZone: string): Timing => ({ kind: "cron", cron: expression, timeZone });

describe("cron slots across DST (croner's rules, documented in docs/scheduling.md)", () => {
  test("Europe/Paris spring forward: a fixed 02:30 that does not exist fires at 03:00 CEST that day", () => {
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST.
    expect(iso(nextSlots(cron("30 2 * * *", "Europe/Paris"), at("2026-03-28T00:00:00Z"), 3))).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST: the clock has jumped past 02:30
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  test("Europe/Paris spring forward: a stepped expression skips the hour that does not exist", () => {
    expect(iso(nextSlots(cron("*/30 * * * *", "Europe/Paris"), at("2026-03-29T00:00:00Z"), 3))).toEqual([
      "2026-03-29T00:30:00.000Z", // 01:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST (02:00 and 02:30 never happen)
      "2026-03-29T01:30:00.000Z", // 03:30 CEST
    ]);
  });

  test("Europe/Paris fall back: a fixed 02:30 that happens twice fires once, at the first occurrence", () => {
    // 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens at 00:30Z and again at 01:30Z.
    expect(iso(nextSlots(cron("30 2 * * *", "Europe/Paris"), at("2026-10-24T12:00:00Z"), 2))).toEqual([
      "2026-10-25T00:30:00.000Z",
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  test("Europe/Paris fall back: a stepped expression fires on both occurrences of the repeated hour", () => {
    expect(iso(nextSlots(cron("*/30 * * * *", "Europe/Paris"), at("2026-10-25T00:00:00Z"), 4))).toEqual([
      "2026-10-25T00:30:00.000Z", // 02:30 CEST
      "2026-10-25T01:00:00.000Z", // 02:00 CET
      "2026-10-25T01:30:00.000Z", // 02:30 CET
      "2026-10-25T02:00:00.000Z", // 03:00 CET
    ]);
  });

  test("America/New_York spring forward: 02:30 fires at 03:00 EDT on the day it does not exist", () => {
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT.
    expect(iso(nextSlots(cron("30 2 * * *", "America/New_York"), at("2026-03-07T12:00:00Z"), 2))).toEqual([
      "2026-03-08T07:00:00.000Z", // 03:00 EDT
      "2026-03-09T06:30:00.000Z", // 02:30 EDT
    ]);
  });

  test("America/New_York fall back: 01:30 happens twice and fires once, in EDT", () => {
    // 2026-11-01: 02:00 EDT goes back to 01:00 EST; 01:30 is 05:30Z (EDT) and 06:30Z (EST).
    expect(iso(nextSlots(cron("30 1 * * *", "America/New_York"), at("2026-10-31T12:00:00Z"), 2))).toEqual([
      "2026-11-01T05:30:00.000Z",
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  test("America/New_York fall back: an hourly expression fires in both 01:xx hours", () => {
    expect(iso(nextSlots(cron("15 * * * *", "America/New_York"), at("2026-11-01T04:00:00Z"), 3))).toEqual([
      "2026-11-01T04:15:00.000Z", // 00:15 EDT
      "2026-11-01T05:15:00.000Z", // 01:15 EDT
      "2026-11-01T06:15:00.000Z", // 01:15 EST
    ]);
  });
});

describe("nextSlotAfter", () => {
  test("is strictly after its reference", () => {
    const timing = cron("0 3 * * *", "UTC");
    expect(nextSlotAfter(timing, at("2026-05-01T03:00:00Z"))?.toISOString()).toBe("2026-05-02T03:00:00.000Z");
    expect(nextSlotAfter(timing, at("2026-05-01T02:59:59.500Z"))?.toISOString()).toBe(
      "2026-05-01T03:00:00.000Z",
    );
  });

  test("a once schedule has one slot, then none", () => {
    const timing: Timing = { kind: "once", at: at("2026-05-01T10:00:00Z") };
    expect(nextSlotAfter(timing, at("2026-05-01T09:00:00Z"))?.toISOString()).toBe("2026-05-01T10:00:00.000Z");
    expect(nextSlotAfter(timing, at("2026-05-01T10:00:00Z"))).toBeNull();
  });

  test("an interval counts from its anchor, and the anchor itself is not a slot", () => {
    const timing: Timing = { kind: "interval", intervalSeconds: 90, anchorAt: at("2026-05-01T10:00:00Z") };
    expect(nextSlotAfter(timing, at("2026-05-01T10:00:00Z"))?.toISOString()).toBe("2026-05-01T10:01:30.000Z");
    expect(nextSlotAfter(timing, at("2026-05-01T09:00:00Z"))?.toISOString()).toBe("2026-05-01T10:01:30.000Z");
    expect(nextSlotAfter(timing, at("2026-05-01T10:01:30Z"))?.toISOString()).toBe("2026-05-01T10:03:00.000Z");
    expect(nextSlotAfter(timing, at("2026-05-01T10:10:00Z"))?.toISOString()).toBe("2026-05-01T10:10:30.000Z");
  });

  test("an interval is not bent by DST: it is real time", () => {
    const timing: Timing = { kind: "interval", intervalSeconds: 3600, anchorAt: at("2026-03-29T00:00:00Z") };
    expect(iso(nextSlots(timing, at("2026-03-29T00:00:00Z"), 2))).toEqual([
      "2026-03-29T01:00:00.000Z",
      "2026-03-29T02:00:00.000Z",
    ]);
  });
});

describe("countSlots", () => {
  test("counts the slots in (after, until]", () => {
    const interval: Timing = { kind: "interval", intervalSeconds: 60, anchorAt: at("2026-05-01T10:00:00Z") };
    expect(countSlots(interval, at("2026-05-01T10:00:00Z"), at("2026-05-01T10:05:00Z"))).toBe(5);
    expect(countSlots(interval, at("2026-05-01T10:00:00Z"), at("2026-05-01T10:00:59Z"))).toBe(0);
    expect(
      countSlots(cron("*/15 * * * *", "UTC"), at("2026-05-01T10:00:00Z"), at("2026-05-01T11:00:00Z")),
    ).toBe(4);
    expect(countSlots(interval, at("2026-05-01T10:00:00Z"), at("2027-05-01T10:00:00Z"), 100)).toBe(100);
  });
});

describe("parseCron and shortestGapSeconds", () => {
  test("refuses what is not 5 (or 6) fields, and names croner's complaint", () => {
    expect(() => parseCron("* * * *", "UTC", { allowSeconds: true })).toThrow(TimingError);
    expect(() => parseCron("*/5 * * * * *", "UTC", { allowSeconds: false })).toThrow("expected 5 fields");
    expect(() => parseCron("2030-01-01T00:00:00", "UTC", { allowSeconds: true })).toThrow("got 1");
    expect(() => parseCron("61 * * * *", "UTC", { allowSeconds: true })).toThrow("minute");
    expect(() => parseCron("0 3 * * *", "Mars/Olympus", { allowSeconds: true })).toThrow(TimingError);
    expect(parseCron("*/5 * * * * *", "UTC", { allowSeconds: true }).getPattern()).toBe("*/5 * * * * *");
  });

  test("finds sub-minute gaps of an expression with seconds", () => {
    const from = at("2026-05-01T10:00:00Z");
    expect(shortestGapSeconds(cron("*/5 * * * * *", "UTC"), from)).toBe(5);
    expect(shortestGapSeconds(cron("0,30 0 3 * * *", "UTC"), from)).toBe(30);
    expect(shortestGapSeconds(cron("0 * * * *", "UTC"), from)).toBe(3600);
    expect(shortestGapSeconds({ kind: "once", at: from }, from)).toBeNull();
  });
});
