import type { ReactElement } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { HealthSlice, HourPoint } from "../../lib/dashboard.presenter.ts";
import { formatRate } from "../../lib/dashboard.presenter.ts";

// Loaded lazily by the dashboard, so recharts is fetched only on that page (and not in the server bundle's
// first render: the charts draw in the browser).

const axis = {
  tick: { fill: "currentColor", fontSize: 11 },
  stroke: "currentColor",
  strokeOpacity: 0.3,
};

/** Runs created per hour, stacked by how they ended (still going on top). */
export function RunsPerHourChart({ points, label }: { points: HourPoint[]; label: string }) {
  return (
    <ChartFrame label={label} chart="runs-per-hour">
      <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
        <XAxis dataKey="label" {...axis} minTickGap={24} />
        <YAxis allowDecimals={false} {...axis} />
        <Tooltip cursor={{ fill: "currentColor", fillOpacity: 0.08 }} />
        <Bar dataKey="succeeded" name="Succeeded" stackId="runs" fill="#10b981" isAnimationActive={false} />
        <Bar dataKey="failed" name="Failed" stackId="runs" fill="#ef4444" isAnimationActive={false} />
        <Bar dataKey="cancelled" name="Cancelled" stackId="runs" fill="#f59e0b" isAnimationActive={false} />
        <Bar
          dataKey="other"
          name="Running or queued"
          stackId="runs"
          fill="#6366f1"
          isAnimationActive={false}
        />
        <Legend iconSize={8} wrapperStyle={{ fontSize: 11 }} />
      </BarChart>
    </ChartFrame>
  );
}

/** The share of finished runs that succeeded, per hour (gaps where none finished). */
export function SuccessRateChart({ points, label }: { points: HourPoint[]; label: string }) {
  return (
    <ChartFrame label={label} chart="success-rate">
      <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
        <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
        <XAxis dataKey="label" {...axis} minTickGap={24} />
        <YAxis domain={[0, 100]} tickFormatter={(value: number) => `${value} %`} {...axis} />
        <Tooltip formatter={(value) => formatRate(typeof value === "number" ? value : null)} />
        <Line
          dataKey="successRate"
          name="Success rate"
          type="monotone"
          stroke="#10b981"
          strokeWidth={2}
          connectNulls={false}
          dot={{ r: 2 }}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFrame>
  );
}

/** Targets by health as a ring. */
export function HealthRing({ slices }: { slices: HealthSlice[] }) {
  const shown = slices.filter((slice) => slice.count > 0);
  // The counts are listed beside the ring as text; the ring itself is decoration for screen readers.
  return (
    <div aria-hidden="true" className="h-40 w-40 shrink-0" data-chart="targets-health">
      <ResponsiveContainer width="100%" height="100%">
        <PieChart>
          <Pie
            data={shown}
            dataKey="count"
            nameKey="label"
            innerRadius="60%"
            outerRadius="100%"
            stroke="none"
            isAnimationActive={false}
          >
            {shown.map((slice) => (
              <Cell key={slice.status} fill={slice.color} />
            ))}
          </Pie>
          <Tooltip />
        </PieChart>
      </ResponsiveContainer>
    </div>
  );
}

/** A chart's box: an image named `label` to screen readers, 16rem high, drawn in the text colour. */
function ChartFrame({ label, chart, children }: { label: string; chart: string; children: ReactElement }) {
  return (
    <div
      role="img"
      aria-label={label}
      className="h-64 w-full text-slate-500 dark:text-slate-400"
      data-chart={chart}
    >
      <ResponsiveContainer width="100%" height="100%">
        {children}
      </ResponsiveContainer>
    </div>
  );
}
