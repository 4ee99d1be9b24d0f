import {
  CartesianGrid,
  ComposedChart,
  Line,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  type TooltipContentProps,
  XAxis,
  YAxis,
} from "recharts";
import { formatDateTime } from "../../lib/format.ts";
import { formatLatency, HEALTH_LABELS, type HealthPoint } from "../../lib/targets.presenter.ts";

// Loaded lazily by health-history.tsx, so recharts is fetched only when a detail page has checks to draw.

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

interface DotProps {
  cx?: number;
  cy?: number;
  payload?: HealthPoint;
}

/** Each check as a dot in its status colour; checks without a latency sit on the baseline as a cross. */
function StatusDot({ cx, cy, payload }: DotProps) {
  if (cx === undefined || cy === undefined || !payload) return null;
  return <circle cx={cx} cy={cy} r={3} fill={payload.color} stroke="white" strokeWidth={1} />;
}

function OutageMark({ cx, cy, payload }: DotProps) {
  // The scatter walks every point; only those without a latency get a mark (the others would sit at the top).
  if (cx === undefined || cy === undefined || !payload || payload.outage === null) return null;
  return (
    <path
      d={`M${cx - 3.5},${cy - 3.5}L${cx + 3.5},${cy + 3.5}M${cx + 3.5},${cy - 3.5}L${cx - 3.5},${cy + 3.5}`}
      stroke={payload.color}
      strokeWidth={2}
    />
  );
}

function CheckTooltip({ active, payload }: Partial<TooltipContentProps<number, string>>) {
  const point = active ? (payload?.[0]?.payload as HealthPoint | undefined) : undefined;
  if (!point) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-2.5 py-1.5 text-xs shadow dark:border-slate-700 dark:bg-slate-900">
      <p className="font-medium" style={{ color: point.color }}>
        {HEALTH_LABELS[point.status]} · {formatLatency(point.latency)}
      </p>
      <p className="text-slate-500 dark:text-slate-400">
        {formatDateTime(new Date(point.time).toISOString())}
      </p>
    </div>
  );
}

export default function HealthChart({ points }: { points: HealthPoint[] }) {
  const first = points[0]?.time ?? 0;
  const last = points.at(-1)?.time ?? 0;
  const spansDays = last - first > 36 * 3_600_000;
  return (
    <div className="h-48 w-full text-slate-500 dark:text-slate-400" data-health-chart>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={points} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
          <XAxis
            dataKey="time"
            type="number"
            scale="time"
            domain={["dataMin", "dataMax"]}
            tickFormatter={(time: number) => (spansDays ? dayFormat : timeFormat).format(time)}
            tick={{ fill: "currentColor", fontSize: 11 }}
            stroke="currentColor"
            strokeOpacity={0.3}
            minTickGap={40}
          />
          <YAxis
            width={64}
            tickFormatter={(ms: number) => formatLatency(ms)}
            tick={{ fill: "currentColor", fontSize: 11 }}
            stroke="currentColor"
            strokeOpacity={0.3}
            allowDecimals={false}
          />
          <Tooltip content={<CheckTooltip />} cursor={{ stroke: "currentColor", strokeOpacity: 0.3 }} />
          <Line
            dataKey="latency"
            type="monotone"
            stroke="#6366f1"
            strokeWidth={1.5}
            connectNulls={false}
            dot={<StatusDot />}
            activeDot={{ r: 5 }}
            isAnimationActive={false}
          />
          <Scatter dataKey="outage" shape={<OutageMark />} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
