import type { THealthStatus } from "@opsc/contracts/targets/targets";
import { HEALTH_COLORS, HEALTH_LABELS, HEALTH_STATUSES } from "./targets.presenter.ts";

// The dashboard's read models: runs per hour over the last day with their success rate, targets by health, and
// the next scheduled runs. Pure, so the charts get plain rows and the tests need no browser.

/** One hour of `execution.runs.stats`. */
export interface HourStats {
  /** The hour's start, ISO 8601. */
  hour: string;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

export interface HourPoint {
  /** Epoch milliseconds of the hour's start (the chart's x). */
  time: number;
  label: string;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Started but not finished (still running, or queued): total minus the finished. */
  other: number;
  total: number;
  /** Succeeded of finished, 0–100; null when none finished in that hour. */
  successRate: number | null;
}

const HOUR_MS = 3_600_000;
export const DASHBOARD_HOURS = 24;

const hourFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

function rateOf(succeeded: number, finished: number): number | null {
  return finished > 0 ? (succeeded / finished) * 100 : null;
}

/**
 * The last `hours` hours up to the current one, oldest first, one point each: hours the API left out (no runs)
 * are zeros, hours outside the window are dropped.
 */
export function presentHours(
  stats: readonly HourStats[],
  now: Date,
  hours = DASHBOARD_HOURS,
  format: (time: number) => string = (time) => hourFormat.format(time),
): HourPoint[] {
  const current = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const byHour = new Map<number, HourStats>();
  for (const item of stats) {
    const time = Math.floor(new Date(item.hour).getTime() / HOUR_MS) * HOUR_MS;
    const known = byHour.get(time);
    byHour.set(
      time,
      known
        ? {
            hour: item.hour,
            total: known.total + item.total,
            succeeded: known.succeeded + item.succeeded,
            failed: known.failed + item.failed,
            cancelled: known.cancelled + item.cancelled,
          }
        : item,
    );
  }
  const points: HourPoint[] = [];
  for (let index = hours - 1; index >= 0; index--) {
    const time = current - index * HOUR_MS;
    const item = byHour.get(time);
    const succeeded = item?.succeeded ?? 0;
    const failed = item?.failed ?? 0;
    const cancelled = item?.cancelled ?? 0;
    const total = item?.total ?? 0;
    const finished = succeeded + failed + cancelled;
    points.push({
      time,
      label: format(time),
      succeeded,
      failed,
      cancelled,
      other: Math.max(0, total - finished),
      total,
      successRate: rateOf(succeeded, finished),
    });
  }
  return points;
}

export interface DayTotals {
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** 0–100, or null when nothing finished. */
  successRate: number | null;
}

/** The window's totals; `apiShare` (the API's own figure for the period, 0–1) wins when it is given. */
export function dayTotals(points: readonly HourPoint[], apiShare: number | null = null): DayTotals {
  const sum = (pick: (point: HourPoint) => number) => points.reduce((total, point) => total + pick(point), 0);
  const succeeded = sum((point) => point.succeeded);
  const failed = sum((point) => point.failed);
  const cancelled = sum((point) => point.cancelled);
  const computed = rateOf(succeeded, succeeded + failed + cancelled);
  return {
    total: sum((point) => point.total),
    succeeded,
    failed,
    cancelled,
    successRate: apiShare === null ? computed : apiShare * 100,
  };
}

/** "97.5 %", "100 %"; "—" when there is nothing to rate. */
export function formatRate(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return "—";
  const rounded = Math.round(rate * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} %`;
}

export interface HealthSlice {
  status: THealthStatus;
  label: string;
  count: number;
  /** Share of all targets, 0–100. */
  percent: number;
  color: string;
}

/** Targets by health, in the usual order (up, degraded, down, unknown), with their share. */
export function presentHealthCounts(counts: Partial<Record<THealthStatus, number>>): {
  total: number;
  slices: HealthSlice[];
} {
  const total = HEALTH_STATUSES.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
  return {
    total,
    slices: HEALTH_STATUSES.map((status) => {
      const count = counts[status] ?? 0;
      return {
        status,
        label: HEALTH_LABELS[status],
        count,
        percent: total ? (count / total) * 100 : 0,
        color: HEALTH_COLORS[status],
      };
    }),
  };
}

export interface UpcomingSchedule {
  id: string;
  name: string;
  jobId: string;
  jobName: string;
  nextFireAt: string | null;
  paused: boolean;
}

/** The next `limit` fires: paused schedules and those with nothing left to fire are left out, soonest first. */
export function nextScheduled<T extends UpcomingSchedule>(schedules: readonly T[], limit = 5): T[] {
  return schedules
    .filter((schedule) => !schedule.paused && schedule.nextFireAt !== null)
    .sort((a, b) => Date.parse(a.nextFireAt!) - Date.parse(b.nextFireAt!))
    .slice(0, limit);
}

/** "in 42 s", "in 5 min", "in 3 h", "in 2 d"; "now" for a moment already due. */
export function formatIn(iso: string, now: Date): string {
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  if (seconds < 5) return "now";
  if (seconds < 60) return `in ${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} h`;
  return `in ${Math.round(hours / 24)} d`;
}
