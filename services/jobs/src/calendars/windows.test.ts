import { describe, expect, test } from "bun:test";
import {
  activeOccurrence,
  type CalendarTime,
  localToInstant,
  occurrencesBetween,
  scopeCovers,
} from "./windows.ts";

const at = (iso: string) => new Date(iso);

describe("recurring windows across DST", () => {
  // Every Sunday 02:30 for 60 minutes, Paris time. 2026-03-29 is the spring-forward Sunday (02:00 → 03:00).
  const paris: CalendarTime = {
    timeZone: "Europe/Paris",
    windows: [{ type: "recurring", cron: "30 2 * * 0", durationMinutes: 60 }],
  };

  test("on an ordinary Sunday the window is 02:30-03:30 local", () => {
    expect(activeOccurrence(paris, at("2026-03-22T01:29:59Z"))).toBeNull();
    const open = activeOccurrence(paris, at("2026-03-22T01:30:00Z"));
    expect(open?.start.toISOString()).toBe("2026-03-22T01:30:00.000Z");
    expect(open?.end.toISOString()).toBe("2026-03-22T02:30:00.000Z");
    expect(activeOccurrence(paris, at("2026-03-22T02:30:00Z"))).toBeNull();
  });

  test("on the spring-forward Sunday it opens when croner fires 02:30: at 03:00 CEST, for 60 minutes", () => {
    // 01:45 CET (00:45Z) is before the jump: nothing is open.
    expect(activeOccurrence(paris, at("2026-03-29T00:45:00Z"))).toBeNull();
    const open = activeOccurrence(paris, at("2026-03-29T01:30:00Z"));
    expect(open?.start.toISOString()).toBe("2026-03-29T01:00:00.000Z");
    expect(open?.end.toISOString()).toBe("2026-03-29T02:00:00.000Z");
    expect(activeOccurrence(paris, at("2026-03-29T02:00:00Z"))).toBeNull();
  });

  test("on the fall-back Sunday a window at 02:30 opens once, at the first 02:30 (CEST)", () => {
    const calendar: CalendarTime = {
      timeZone: "Europe/Paris",
      windows: [{ type: "recurring", cron: "30 2 * * 0", durationMinutes: 30 }],
    };
    // 2026-10-25: 02:30 CEST is 00:30Z; 02:30 CET (01:30Z) does not open it again.
    expect(activeOccurrence(calendar, at("2026-10-25T00:45:00Z"))?.start.toISOString()).toBe(
      "2026-10-25T00:30:00.000Z",
    );
    expect(activeOccurrence(calendar, at("2026-10-25T01:45:00Z"))).toBeNull();
  });

  test("America/New_York: a nightly 02:00-04:00 window is two real hours, also on the short night", () => {
    const calendar: CalendarTime = {
      timeZone: "America/New_York",
      windows: [{ type: "recurring", cron: "0 2 * * *", durationMinutes: 120 }],
    };
    // 2026-03-08: 02:00 EST does not exist; croner opens it at 03:00 EDT (07:00Z), for two hours.
    const spring = activeOccurrence(calendar, at("2026-03-08T07:30:00Z"));
    expect(spring?.start.toISOString()).toBe("2026-03-08T07:00:00.000Z");
    expect(spring?.end.toISOString()).toBe("2026-03-08T09:00:00.000Z");
    // 2026-11-01: 02:00 EST is 07:00Z.
    const fall = activeOccurrence(calendar, at("2026-11-01T08:59:00Z"));
    expect(fall?.start.toISOString()).toBe("2026-11-01T07:00:00.000Z");
    expect(activeOccurrence(calendar, at("2026-11-01T09:00:00Z"))).toBeNull();
  });

  test("a window longer than its period: the latest start decides, and overlapping windows end last", () => {
    const calendar: CalendarTime = {
      timeZone: "UTC",
      windows: [
        { type: "recurring", cron: "0 * * * *", durationMinutes: 90 },
        { type: "once", start: "2026-05-01T10:00", end: "2026-05-01T18:00", label: "release" },
      ],
    };
    const open = activeOccurrence(calendar, at("2026-05-01T11:10:00Z"));
    expect(open?.window).toBe(1);
    expect(open?.label).toBe("release");
    expect(open?.end.toISOString()).toBe("2026-05-01T18:00:00.000Z");
    const later = activeOccurrence(calendar, at("2026-05-02T11:10:00Z"));
    expect(later?.start.toISOString()).toBe("2026-05-02T11:00:00.000Z");
    expect(later?.end.toISOString()).toBe("2026-05-02T12:30:00.000Z");
  });
});

describe("one-off windows", () => {
  test("local date-times are read in the zone, DST included", () => {
    expect(localToInstant("2026-07-01T12:00", "Europe/Paris").toISOString()).toBe("2026-07-01T10:00:00.000Z");
    expect(localToInstant("2026-01-01T12:00:30", "Europe/Paris").toISOString()).toBe(
      "2026-01-01T11:00:30.000Z",
    );
    // Skipped by the clock: the same wall time after the jump (03:30 CEST).
    expect(localToInstant("2026-03-29T02:30", "Europe/Paris").toISOString()).toBe("2026-03-29T01:30:00.000Z");
    // Twice: the first occurrence (CEST).
    expect(localToInstant("2026-10-25T02:30", "Europe/Paris").toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(localToInstant("2026-11-01T01:30", "America/New_York").toISOString()).toBe(
      "2026-11-01T05:30:00.000Z",
    );
  });

  test("open from start (inclusive) to end (exclusive)", () => {
    const calendar: CalendarTime = {
      timeZone: "America/New_York",
      windows: [{ type: "once", start: "2026-12-24T18:00", end: "2026-12-26T08:00" }],
    };
    expect(activeOccurrence(calendar, at("2026-12-24T22:59:59Z"))).toBeNull();
    expect(activeOccurrence(calendar, at("2026-12-24T23:00:00Z"))?.end.toISOString()).toBe(
      "2026-12-26T13:00:00.000Z",
    );
    expect(activeOccurrence(calendar, at("2026-12-26T13:00:00Z"))).toBeNull();
  });
});

describe("occurrencesBetween", () => {
  const calendar: CalendarTime = {
    timeZone: "Europe/Paris",
    windows: [
      { type: "recurring", cron: "30 2 * * 0", durationMinutes: 60, label: "sunday" },
      { type: "once", start: "2026-03-25T20:00", end: "2026-03-25T22:00" },
    ],
  };

  test("lists the windows in the period by start, the one open at `from` included", () => {
    const { occurrences, truncated } = occurrencesBetween(
      calendar,
      at("2026-03-22T02:00:00Z"),
      at("2026-04-06T00:00:00Z"),
      50,
    );
    expect(truncated).toBe(false);
    expect(
      occurrences.map((item) => [item.window, item.start.toISOString(), item.end.toISOString()]),
    ).toEqual([
      [0, "2026-03-22T01:30:00.000Z", "2026-03-22T02:30:00.000Z"],
      [1, "2026-03-25T19:00:00.000Z", "2026-03-25T21:00:00.000Z"],
      [0, "2026-03-29T01:00:00.000Z", "2026-03-29T02:00:00.000Z"],
      [0, "2026-04-05T00:30:00.000Z", "2026-04-05T01:30:00.000Z"],
    ]);
    expect(occurrences[0]?.label).toBe("sunday");
  });

  test("stops at the limit and says so", () => {
    const hourly: CalendarTime = {
      timeZone: "UTC",
      windows: [{ type: "recurring", cron: "0 * * * *", durationMinutes: 5 }],
    };
    const { occurrences, truncated } = occurrencesBetween(
      hourly,
      at("2026-05-01T00:00:00Z"),
      at("2026-05-08T00:00:00Z"),
      10,
    );
    expect(occurrences).toHaveLength(10);
    expect(truncated).toBe(true);
    expect(occurrences[0]?.start.toISOString()).toBe("2026-05-01T00:00:00.000Z");
  });
});

describe("scopeCovers", () => {
  const job = { folder: "/databases/backups", tags: ["nightly", "pg"] };

  test("all, a folder or a parent folder, or a tag", () => {
    expect(scopeCovers({ all: true }, job)).toBe(true);
    expect(scopeCovers({ folders: ["/databases"], tags: [] }, job)).toBe(true);
    expect(scopeCovers({ folders: ["/databases/backups"], tags: [] }, job)).toBe(true);
    expect(scopeCovers({ folders: ["/"], tags: [] }, job)).toBe(true);
    expect(scopeCovers({ folders: [], tags: ["pg"] }, job)).toBe(true);
  });

  test("a folder is a path prefix, not a string prefix", () => {
    expect(scopeCovers({ folders: ["/data"], tags: [] }, job)).toBe(false);
    expect(scopeCovers({ folders: ["/databases/backups/old"], tags: [] }, job)).toBe(false);
    expect(scopeCovers({ folders: ["/web"], tags: ["mysql"] }, job)).toBe(false);
  });
});
