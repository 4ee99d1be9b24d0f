import { describe, expect, test } from "bun:test";
import { firstRunOf, nextRunAfter } from "./schedule.ts";

describe("schedules", () => {
  test("slots follow the time zone across a DST change", () => {
    const berlin = { cron: "0 3 * * *", timeZone: "Europe/Berlin" };
    // 29 March 2026: clocks go from 02:00 CET to 03:00 CEST; 03:00 local is 01:00 UTC.
    expect(nextRunAfter(berlin, new Date("2026-03-28T12:00:00Z")).toISOString()).toBe(
      "2026-03-29T01:00:00.000Z",
    );
    expect(nextRunAfter(berlin, new Date("2026-03-27T12:00:00Z")).toISOString()).toBe(
      "2026-03-28T02:00:00.000Z",
    );
    expect(
      nextRunAfter({ cron: "*/15 * * * *", timeZone: "UTC" }, new Date("2026-01-01T10:07:00Z")).toISOString(),
    ).toBe("2026-01-01T10:15:00.000Z");
  });

  test("bad or too frequent expressions are 400s naming the cron field", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    for (const cron of ["* * * *", "61 * * * *", "nope", "* * * * *", "*/10 * * * * *"]) {
      expect(() => firstRunOf({ cron, timeZone: "UTC" }, "data.schedule", now), cron).toThrow(
        expect.objectContaining({ code: "BAD_REQUEST", field: "data.schedule.cron" }),
      );
    }
    expect(firstRunOf({ cron: "@daily", timeZone: "UTC" }, "schedule", now).toISOString()).toBe(
      "2026-01-02T00:00:00.000Z",
    );
  });
});
