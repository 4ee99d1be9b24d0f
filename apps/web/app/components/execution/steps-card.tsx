import type { TRun } from "@opsc/contracts/execution/runs";
import type { ExecutionLiveApi } from "../../lib/execution.client.ts";
import { describeCoverage, describeStep } from "../../lib/execution-jobs.presenter.ts";
import { Badge } from "../ui/badge.tsx";
import { Card } from "../ui/card.tsx";
import { CountsBar } from "./counts-bar.tsx";
import { useStepCounts } from "./use-step-counts.ts";

/**
 * A job run's steps in order: type, condition in words, retries and continue-on-error, and how each step's tasks
 * (one per target) stand, counted from the run's tasks as the run goes.
 */
export function StepsCard({ run, api }: { run: TRun; api: ExecutionLiveApi }) {
  const { steps: counted, loaded, failed } = useStepCounts(api, run);
  const coverage = counted ? describeCoverage(loaded, run.counts.total) : null;
  return (
    <Card
      id="steps"
      title="Steps"
      description={`${run.steps.length} ${run.steps.length === 1 ? "step" : "steps"}, in order${
        coverage ? ` · ${coverage}` : ""
      }`}
    >
      <ol className="divide-y divide-slate-100 dark:divide-slate-800" aria-label="Steps of this run">
        {run.steps.map((step, index) => {
          const counts = counted?.[index]?.counts ?? null;
          const described = describeStep(step);
          return (
            <li
              key={step.key}
              data-step={step.key}
              className="grid gap-3 py-3 first:pt-0 last:pb-0 md:grid-cols-[minmax(0,3fr)_minmax(12rem,2fr)]"
            >
              <div className="min-w-0">
                <p className="flex flex-wrap items-center gap-2 text-sm">
                  <span className="tabular-nums text-slate-400 dark:text-slate-500">{index + 1}.</span>
                  <span className="font-medium text-slate-900 dark:text-white">{step.name}</span>
                  <span className="font-mono text-xs text-slate-500 dark:text-slate-400">{step.key}</span>
                  <Badge tone="neutral">{described.type}</Badge>
                  {step.continueOnError ? <Badge tone="amber">continues on error</Badge> : null}
                </p>
                <p className="mt-1 text-xs text-slate-600 dark:text-slate-300" data-step-facts>
                  {described.facts.join(" · ")}
                </p>
              </div>
              <div data-step-counts={counts ? "loaded" : "loading"}>
                {counts ? (
                  <CountsBar counts={counts} legend />
                ) : (
                  <p className="text-xs text-slate-500 dark:text-slate-400">
                    {failed ? "The counts could not be loaded." : "Counting…"}
                  </p>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    </Card>
  );
}
