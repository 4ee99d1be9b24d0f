import type { ReactNode } from "react";
import { Link } from "react-router";
import { type LineageEntry, presentLineage, type RunLineage } from "../../lib/execution-jobs.presenter.ts";
import { formatDateTime } from "../../lib/format.ts";
import { Badge } from "../ui/badge.tsx";
import { Card } from "../ui/card.tsx";
import { RunStateBadge } from "./state-badges.tsx";

/**
 * Where a job run stands among its relatives: the chain from the first run through its retries and resumes (this
 * one marked), the run whose step started it, and the runs its own steps started. Left out when there is none.
 */
export function LineageCard({ lineage, runId }: { lineage: RunLineage; runId: string }) {
  const view = presentLineage(lineage, runId);
  if (view.isEmpty) return null;
  return (
    <Card
      id="lineage"
      title="Lineage"
      description="Retries and resumes of this run, and the runs it is linked to."
    >
      <div className="space-y-4">
        {view.parent ? (
          <Section title="Started by a step of" data="parent">
            <Entry entry={view.parent} />
          </Section>
        ) : null}
        {view.chain.length > 1 ? (
          <Section title="Retries and resumes, oldest first" data="chain" ordered>
            {view.chain.map((entry) => (
              <Entry key={entry.id} entry={entry} />
            ))}
          </Section>
        ) : null}
        {view.children.length ? (
          <Section title="Runs started by its steps" data="children">
            {view.children.map((entry) => (
              <Entry key={entry.id} entry={entry} />
            ))}
          </Section>
        ) : null}
      </div>
    </Card>
  );
}

function Section({
  title,
  data,
  ordered = false,
  children,
}: {
  title: string;
  data: string;
  ordered?: boolean;
  children: ReactNode;
}) {
  const List = ordered ? "ol" : "ul";
  return (
    <div data-lineage={data}>
      <p className="mb-1.5 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
        {title}
      </p>
      <List aria-label={title} className="space-y-1.5">
        {children}
      </List>
    </div>
  );
}

function Entry({ entry }: { entry: LineageEntry }) {
  return (
    <li
      className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm"
      data-lineage-run={entry.id}
      aria-current={entry.current ? "page" : undefined}
    >
      {entry.current ? (
        <span className="font-medium text-slate-900 dark:text-white">{entry.name}</span>
      ) : (
        <Link to={entry.href} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
          {entry.name}
        </Link>
      )}
      <span className="text-xs text-slate-500 dark:text-slate-400" data-lineage-mode>
        {entry.mode}
      </span>
      <RunStateBadge state={entry.state} />
      {entry.current ? <Badge tone="indigo">this run</Badge> : null}
      <span className="text-xs text-slate-500 dark:text-slate-400">{formatDateTime(entry.createdAt)}</span>
    </li>
  );
}
