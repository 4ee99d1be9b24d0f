import type { HealthView, TagChip } from "../../lib/targets.presenter.ts";
import { Badge } from "../ui/badge.tsx";

/** Status, latency and when it was checked: "Up · 12 ms · checked 3 min ago". */
export function HealthBadge({ health }: { health: HealthView }) {
  return (
    <div className="flex flex-col gap-0.5" data-health={health.status}>
      <div className="flex items-center gap-1.5">
        <Badge tone={health.tone}>{health.label}</Badge>
        {health.latency ? (
          <span className="text-xs tabular-nums text-slate-600 dark:text-slate-300">{health.latency}</span>
        ) : null}
      </div>
      <span className="text-xs text-slate-500 dark:text-slate-400" title={health.checkedAt ?? undefined}>
        {health.checked}
      </span>
    </div>
  );
}

export function TagChips({ tags, empty = null }: { tags: TagChip[]; empty?: string | null }) {
  if (!tags.length) return empty ? <span className="text-xs text-slate-400">{empty}</span> : null;
  return (
    <ul className="flex flex-wrap gap-1" aria-label="Tags">
      {tags.map((tag) => (
        <li
          key={tag.key}
          className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[11px] text-slate-700 ring-1 ring-slate-200 ring-inset dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-700"
        >
          {tag.label}
        </li>
      ))}
    </ul>
  );
}

/** Enabled / disabled and maintenance, as badges. */
export function StateBadges({ enabled, maintenance }: { enabled: boolean; maintenance: boolean }) {
  return (
    <div className="flex flex-wrap gap-1">
      {enabled ? <Badge tone="green">Enabled</Badge> : <Badge tone="neutral">Disabled</Badge>}
      {maintenance ? <Badge tone="amber">Maintenance</Badge> : null}
    </div>
  );
}
