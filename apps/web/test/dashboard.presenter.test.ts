import { describe, expect, test } from "bun:test";
import {
  dayTotals,
  formatIn,
  formatRate,
  nextScheduled,
  presentHealthCounts,
  presentHours,
} from "../app/lib/dashboard.presenter.ts";

const NOW = new Date("2026-11-27T14:35:00Z");
const label = (time: number) => new Date(time).toISOString().slice(11, 16);

describe("the dashboard's runs per hour", () => {
  test("24 points up to the current hour, oldest first; hours without runs are zeros", () => {
    const points = presentHours(
      [
        { hour: "2026-11-27T14:00:00Z", total: 5, succeeded: 2, failed: 1, cancelled: 0 },
        { hour: "2026-11-27T09:00:00.000Z", total: 4, succeeded: 4, failed: 0, cancelled: 0 },
      ],
      NOW,
      24,
      label,
    );
    expect(points).toHaveLength(24);
    expect(points[0]!.label).toBe("15:00");
    expect(points.at(-1)).toEqual({
      time: Date.parse("2026-11-27T14:00:00Z"),
      label: "14:00",
      succeeded: 2,
      failed: 1,
      cancelled: 0,
      other: 2,
      total: 5,
      successRate: (2 / 3) * 100,
    });
    expect(points.find((point) => point.label === "09:00")).toMatchObject({ total: 4, successRate: 100 });
    expect(points.find((point) => point.label === "10:00")).toMatchObject({ total: 0, successRate: null });
  });

  test("hours outside the window are dropped; an hour given twice is added up", () => {
    const points = presentHours(
      [
        { hour: "2026-11-26T14:00:00Z", total: 9, succeeded: 9, failed: 0, cancelled: 0 },
        { hour: "2026-11-27T13:00:00Z", total: 1, succeeded: 0, failed: 1, cancelled: 0 },
        { hour: "2026-11-27T13:00:00Z", total: 2, succeeded: 1, failed: 0, cancelled: 1 },
      ],
      NOW,
      24,
      label,
    );
    expect(points.reduce((sum, point) => sum + point.total, 0)).toBe(3);
    expect(points.at(-2)).toMatchObject({ label: "13:00", succeeded: 1, failed: 1, cancelled: 1, total: 3 });
    expect(points.at(-2)!.successRate).toBeCloseTo(100 / 3);
  });

  test("the day's totals; the API's own rate (a share) wins", () => {
    const points = presentHours(
      [{ hour: "2026-11-27T12:00:00Z", total: 4, succeeded: 3, failed: 1, cancelled: 0 }],
      NOW,
      24,
      label,
    );
    expect(dayTotals(points)).toEqual({ total: 4, succeeded: 3, failed: 1, cancelled: 0, successRate: 75 });
    expect(dayTotals(points, 0.5).successRate).toBe(50);
    expect(dayTotals([]).successRate).toBeNull();
  });

  test("rates read as percentages", () => {
    expect(formatRate(75)).toBe("75 %");
    expect(formatRate(66.6666)).toBe("66.7 %");
    expect(formatRate(100)).toBe("100 %");
    expect(formatRate(null)).toBe("—");
  });
});

describe("the dashboard's other cards", () => {
  test("targets by health, in order, with their share", () => {
    const { total, slices } = presentHealthCounts({ up: 6, down: 2, unknown: 0 });
    expect(total).toBe(8);
    expect(slices.map((slice) => [slice.status, slice.count, slice.percent])).toEqual([
      ["up", 6, 75],
      ["degraded", 0, 0],
      ["down", 2, 25],
      ["unknown", 0, 0],
    ]);
    expect(presentHealthCounts({}).slices.every((slice) => slice.percent === 0)).toBe(true);
  });

  test("the next scheduled runs: soonest first, paused and finished schedules left out", () => {
    const schedule = (id: string, nextFireAt: string | null, paused = false) => ({
      id,
      name: id,
      jobId: "j",
      jobName: "job",
      nextFireAt,
      paused,
    });
    const next = nextScheduled(
      [
        schedule("later", "2026-11-27T16:00:00Z"),
        schedule("paused", "2026-11-27T14:40:00Z", true),
        schedule("done", null),
        schedule("soon", "2026-11-27T14:40:00Z"),
        schedule("last", "2026-11-28T00:00:00Z"),
      ],
      2,
    );
    expect(next.map((item) => item.id)).toEqual(["soon", "later"]);
  });

  test("how long until a fire", () => {
    expect(formatIn("2026-11-27T14:35:02Z", NOW)).toBe("now");
    expect(formatIn("2026-11-27T14:35:40Z", NOW)).toBe("in 40 s");
    expect(formatIn("2026-11-27T14:40:00Z", NOW)).toBe("in 5 min");
    expect(formatIn("2026-11-27T17:35:00Z", NOW)).toBe("in 3 h");
    expect(formatIn("2026-11-30T14:35:00Z", NOW)).toBe("in 3 d");
  });
});
