import type { TRun } from "@opsc/contracts/execution/runs";
import type { TSchedule } from "@opsc/contracts/jobs/schedules";
import type { THealthStatus } from "@opsc/contracts/targets/targets";
import { type HourStats, nextScheduled } from "./dashboard.presenter.ts";
import { describeFailure, rethrowLoaderError } from "./failure.client.ts";
import { errorCode, getOps } from "./ops.client.ts";
import { HEALTH_STATUSES } from "./targets.presenter.ts";

// The dashboard's data: run statistics of the last 24 hours (execution.runs.stats), targets by health, and the next
// scheduled runs. A part whose service fails is shown as unavailable; the rest of the page still loads.

export type Part<T> = { ok: true; data: T } | { ok: false; message: string };

export interface DashboardData {
  stats: Part<{ hours: HourStats[]; successRate: number | null; running: TRun[]; recentFailures: TRun[] }>;
  health: Part<Record<THealthStatus, number>>;
  schedules: Part<TSchedule[]>;
  /** When the data was loaded (the charts' "now"). */
  loadedAt: string;
}

async function part<T>(load: () => Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, data: await load() };
  } catch (error) {
    // An expired session sends the whole page to sign-in; anything else only greys out its card.
    if (errorCode(error) === "UNAUTHORIZED") rethrowLoaderError(error);
    return { ok: false, message: describeFailure(error) };
  }
}

/**
 * The targets service has no summary of health, but its list counts what a filter matches: one page of one target
 * per status gives the totals (four small queries, one batched request).
 */
async function healthCounts(): Promise<Record<THealthStatus, number>> {
  const targets = getOps().targets;
  const totals = await Promise.all(
    HEALTH_STATUSES.map((health) => targets.list.query({ health, limit: 1 }).then((page) => page.total)),
  );
  return Object.fromEntries(HEALTH_STATUSES.map((status, index) => [status, totals[index] ?? 0])) as Record<
    THealthStatus,
    number
  >;
}

export async function loadDashboard(): Promise<DashboardData> {
  const ops = getOps();
  const [stats, health, schedules] = await Promise.all([
    part(() => ops.execution.runs.stats.query({ hours: 24 })),
    part(healthCounts),
    part(async () =>
      nextScheduled((await ops.jobs.schedules.list.query({ sort: "nextFire", limit: 20 })).items, 5),
    ),
  ]);
  return { stats, health, schedules, loadedAt: new Date().toISOString() };
}
