import type { TRun } from "@opsc/contracts/execution/runs";
import { lazy, type ReactNode, Suspense, useMemo } from "react";
import { Link } from "react-router";
import { useProfile } from "../../lib/app-data.ts";
import type { DashboardData, Part } from "../../lib/dashboard.client.ts";
import {
  dayTotals,
  formatIn,
  formatRate,
  presentHealthCounts,
  presentHours,
} from "../../lib/dashboard.presenter.ts";
import { formatDateTime } from "../../lib/format.ts";
import { hasRole } from "../../lib/roles.ts";
import { describeTiming, formatInZone } from "../../lib/schedules.presenter.ts";
import { formatAgo } from "../../lib/targets.presenter.ts";
import { CountsBar } from "../execution/counts-bar.tsx";
import { RunStateBadge } from "../execution/state-badges.tsx";
import { PageHeader } from "../layout/app-shell.tsx";
import { Badge, RoleBadge } from "../ui/badge.tsx";
import { buttonClass } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { usePolling } from "../ui/use-polling.ts";

const charts = () => import("./dashboard-charts.tsx");
const RunsPerHourChart = lazy(() => charts().then((module) => ({ default: module.RunsPerHourChart })));
const SuccessRateChart = lazy(() => charts().then((module) => ({ default: module.SuccessRateChart })));
const HealthRing = lazy(() => charts().then((module) => ({ default: module.HealthRing })));

const REFRESH_MS = 15_000;

function ChartFallback() {
  return <div className="h-64 animate-pulse rounded-md bg-slate-100 dark:bg-slate-800" />;
}

function Unavailable({ part }: { part: Part<unknown> }) {
  return part.ok ? null : (
    <p className="text-sm text-slate-500 dark:text-slate-400" data-unavailable>
      Unavailable: {part.message}
    </p>
  );
}

function Tile({ label, value, detail }: { label: string; value: ReactNode; detail?: ReactNode }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
        {label}
      </p>
      <p className="mt-1 text-2xl font-semibold tabular-nums text-slate-900 dark:text-white">{value}</p>
      {detail ? <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{detail}</p> : null}
    </div>
  );
}

/** Home: how the last day went (runs per hour, success rate), what runs now, what failed, targets' health, what is next. */
export function DashboardPage({ data }: { data: DashboardData }) {
  const { user, effectiveRole } = useProfile();
  usePolling(true, REFRESH_MS);
  const now = useMemo(() => new Date(data.loadedAt), [data.loadedAt]);
  const stats = data.stats.ok ? data.stats.data : null;
  const points = useMemo(() => (stats ? presentHours(stats.hours, now) : []), [stats, now]);
  const totals = dayTotals(points, stats?.successRate ?? null);
  const health = data.health.ok ? presentHealthCounts(data.health.data) : null;
  const firstName = user.name.split(/\s+/)[0] || user.name;
  const canRun = hasRole(effectiveRole, "operator");
  return (
    <>
      <PageHeader
        title={`Welcome, ${firstName}`}
        description="The last 24 hours at a glance: runs, failures, targets' health and what is scheduled next."
        actions={
          canRun ? (
            <div className="flex gap-2">
              <Link to="/jobs" className={buttonClass("secondary")}>
                Jobs
              </Link>
              <Link to="/runs/new" className={buttonClass()}>
                Run command
              </Link>
            </div>
          ) : null
        }
      />
      <div className="space-y-6">
        <AccountLine />
        <section aria-label="Last 24 hours" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Tile label="Runs (24 h)" value={stats ? totals.total : "—"} />
          <Tile
            label="Success rate"
            value={<span data-success-rate>{formatRate(totals.successRate)}</span>}
            detail={
              stats
                ? `${totals.succeeded} succeeded, ${totals.failed} failed, ${totals.cancelled} cancelled`
                : null
            }
          />
          <Tile label="Running now" value={stats ? stats.running.length : "—"} />
          <Tile
            label="Targets"
            value={health ? health.total : "—"}
            detail={health ? `${health.slices[0]?.count ?? 0} up` : null}
          />
        </section>

        <div className="grid gap-6 lg:grid-cols-2">
          <Card id="runs-per-hour" title="Runs per hour">
            {stats ? (
              <Suspense fallback={<ChartFallback />}>
                <RunsPerHourChart
                  points={points}
                  label={`Runs per hour over the last 24 hours: ${totals.total} runs, ${totals.succeeded} succeeded, ${totals.failed} failed, ${totals.cancelled} cancelled`}
                />
              </Suspense>
            ) : (
              <Unavailable part={data.stats} />
            )}
          </Card>
          <Card id="success-rate" title="Success rate per hour">
            {stats ? (
              <Suspense fallback={<ChartFallback />}>
                <SuccessRateChart
                  points={points}
                  label={`Success rate per hour over the last 24 hours; ${formatRate(totals.successRate)} in all`}
                />
              </Suspense>
            ) : (
              <Unavailable part={data.stats} />
            )}
          </Card>
        </div>

        <div className="grid gap-6 lg:grid-cols-2">
          <Card id="running" title="Running now">
            {stats ? (
              <RunList runs={stats.running} now={now} empty="Nothing is running." />
            ) : (
              <Unavailable part={data.stats} />
            )}
          </Card>
          <Card id="failures" title="Recent failures">
            {stats ? (
              <RunList runs={stats.recentFailures} now={now} empty="No failures lately." />
            ) : (
              <Unavailable part={data.stats} />
            )}
          </Card>
        </div>

        <div className="grid gap-6 lg:grid-cols-2">
          <Card id="targets-health" title="Targets by health">
            {health ? (
              health.total ? (
                <div className="flex flex-wrap items-center gap-6">
                  <Suspense
                    fallback={
                      <div className="size-40 animate-pulse rounded-full bg-slate-100 dark:bg-slate-800" />
                    }
                  >
                    <HealthRing slices={health.slices} />
                  </Suspense>
                  <ul className="space-y-1.5 text-sm" data-health-counts>
                    {health.slices.map((slice) => (
                      <li key={slice.status} className="flex items-center gap-2" data-health={slice.status}>
                        <span
                          aria-hidden="true"
                          className="size-2.5 rounded-full"
                          style={{ background: slice.color }}
                        />
                        <Link to={`/targets?health=${slice.status}`} className="hover:underline">
                          {slice.label}
                        </Link>
                        <span className="tabular-nums font-medium">{slice.count}</span>
                      </li>
                    ))}
                  </ul>
                </div>
              ) : (
                <p className="text-sm text-slate-500 dark:text-slate-400">
                  No targets yet.{" "}
                  <Link to="/targets" className="text-indigo-700 hover:underline dark:text-indigo-300">
                    Add some
                  </Link>
                  .
                </p>
              )
            ) : (
              <Unavailable part={data.health} />
            )}
          </Card>
          <Card id="next-scheduled" title="Next scheduled runs">
            {data.schedules.ok ? (
              data.schedules.data.length ? (
                <ul className="divide-y divide-slate-200 text-sm dark:divide-slate-800" data-next-scheduled>
                  {data.schedules.data.map((schedule) => (
                    <li key={schedule.id} className="flex items-baseline justify-between gap-3 py-2">
                      <div className="min-w-0">
                        <Link
                          to={`/jobs/${schedule.jobId}?tab=schedules`}
                          className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                        >
                          {schedule.jobName}
                        </Link>
                        <p className="truncate text-xs text-slate-500 dark:text-slate-400">
                          {schedule.name} · {describeTiming(schedule)}
                        </p>
                      </div>
                      <span
                        className="shrink-0 text-right text-xs"
                        title={formatInZone(schedule.nextFireAt, schedule.timeZone)}
                      >
                        {schedule.nextFireAt ? formatIn(schedule.nextFireAt, now) : "—"}
                      </span>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="text-sm text-slate-500 dark:text-slate-400">
                  Nothing scheduled.{" "}
                  <Link to="/schedules" className="text-indigo-700 hover:underline dark:text-indigo-300">
                    Schedules
                  </Link>
                </p>
              )
            ) : (
              <Unavailable part={data.schedules} />
            )}
          </Card>
        </div>
      </div>
    </>
  );
}

function RunList({ runs, now, empty }: { runs: TRun[]; now: Date; empty: string }) {
  if (!runs.length) return <p className="text-sm text-slate-500 dark:text-slate-400">{empty}</p>;
  return (
    <ul className="divide-y divide-slate-200 text-sm dark:divide-slate-800">
      {runs.map((run) => (
        <li key={run.id} className="flex items-center gap-3 py-2" data-dashboard-run={run.id}>
          <div className="min-w-0 flex-1">
            <Link
              to={`/runs/${run.id}`}
              className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
            >
              {run.name}
            </Link>
            <p className="text-xs text-slate-500 dark:text-slate-400" title={formatDateTime(run.createdAt)}>
              {run.job ? `v${run.job.version} · ` : ""}
              {formatAgo(run.startedAt ?? run.createdAt, now)}
            </p>
          </div>
          <div className="w-28">
            <CountsBar counts={run.counts} />
          </div>
          <RunStateBadge state={run.state} />
        </li>
      ))}
    </ul>
  );
}

/** Who is signed in, with what role, and whether two-factor sign-in is on (a nudge when it is off). */
function AccountLine() {
  const { user, effectiveRole } = useProfile();
  return (
    <section
      aria-label="Your account"
      className="flex flex-wrap items-center gap-3 text-sm text-slate-600 dark:text-slate-300"
    >
      <span>Signed in as {user.email}</span>
      <RoleBadge role={effectiveRole} />
      {user.twoFactorEnabled ? (
        <Badge tone="green">Two-factor on</Badge>
      ) : (
        <Link
          to="/profile#two-factor"
          className="rounded focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
        >
          <Badge tone="amber">Two-factor off — turn it on</Badge>
        </Link>
      )}
    </section>
  );
}
