import type { TJob } from "@opsc/contracts/jobs/jobs";
import type { TSchedule } from "@opsc/contracts/jobs/schedules";
import { type ReactNode, useCallback, useMemo, useState } from "react";
import { Link, useFetcher } from "react-router";
import { useProfile } from "../../lib/app-data.ts";
import { formatDateTime } from "../../lib/format.ts";
import type { JobDetail, JobDetailActionResult } from "../../lib/job-detail.client.ts";
import { jobToYaml } from "../../lib/job-yaml.ts";
import {
  describeCondition,
  describeStepAction,
  describeTargets,
  JOB_TAB_LABELS,
  JOB_TABS,
} from "../../lib/jobs.presenter.ts";
import { hasRole } from "../../lib/roles.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { DeleteScheduleDialog } from "../schedules/delete-schedule-dialog.tsx";
import { ScheduleDialog } from "../schedules/schedule-dialog.tsx";
import { SchedulesTable } from "../schedules/schedules-table.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button, buttonClass } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { ConfirmDeleteForm } from "../ui/confirm-delete-form.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { JobRunsTab } from "./job-runs-tab.tsx";
import { VersionsTab } from "./versions-tab.tsx";
import { WebhooksTab } from "./webhooks-tab.tsx";

/**
 * /jobs/:id: what the job is (summary and its definition, read-only) and, in tabs kept in the URL, its versions
 * (with a side-by-side diff of two), runs, schedules and webhooks. Operators run, edit and delete it.
 */
export function JobDetailPage({ detail }: { detail: JobDetail }) {
  const { job, data } = detail;
  const { effectiveRole } = useProfile();
  const canWrite = hasRole(effectiveRole, "operator");
  const [deleting, setDeleting] = useState(false);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link to="/jobs" className="text-indigo-700 hover:underline dark:text-indigo-300">
          ← Jobs
        </Link>
      </p>
      <PageHeader
        title={job.name}
        description={job.description || undefined}
        actions={
          canWrite ? (
            <div className="flex flex-wrap gap-2">
              <Button variant="ghost" onClick={() => setDeleting(true)}>
                Delete
              </Button>
              <Link to={`/jobs/${job.id}/edit`} className={buttonClass("secondary")}>
                Edit
              </Link>
              <Link to={`/jobs/${job.id}/run`} className={buttonClass()}>
                Run
              </Link>
            </div>
          ) : null
        }
      />
      <div className="space-y-6">
        <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
          <div className="min-w-0">
            <StepsSummary job={job} />
          </div>
          <div className="min-w-0 space-y-6">
            <SummaryCard job={job} />
            <DefinitionCard job={job} />
          </div>
        </div>
        <section aria-labelledby="job-tabs-title" className="space-y-4">
          <h2 id="job-tabs-title" className="sr-only">
            History and triggers
          </h2>
          <nav
            aria-label="Job sections"
            className="flex gap-1 border-b border-slate-200 dark:border-slate-800"
          >
            {JOB_TABS.map((tab) => (
              <Link
                key={tab}
                to={`/jobs/${job.id}?tab=${tab}`}
                preventScrollReset
                aria-current={data.tab === tab ? "page" : undefined}
                className={`-mb-px border-b-2 px-4 py-2 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${
                  data.tab === tab
                    ? "border-indigo-600 text-indigo-700 dark:border-indigo-400 dark:text-indigo-300"
                    : "border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
                }`}
              >
                {JOB_TAB_LABELS[tab]}
              </Link>
            ))}
          </nav>
          {data.tab === "versions" ? (
            <VersionsTab jobId={job.id} versions={data.versions} diff={data.diff} />
          ) : data.tab === "runs" ? (
            <JobRunsTab jobId={job.id} runs={data.runs} query={data.query} paging={data.paging} />
          ) : data.tab === "schedules" ? (
            <JobSchedulesTab job={job} schedules={data.schedules} canWrite={canWrite} />
          ) : (
            <WebhooksTab jobId={job.id} webhooks={data.webhooks} canWrite={canWrite} />
          )}
        </section>
      </div>
      {canWrite ? <DeleteJobDialog job={job} open={deleting} onClose={() => setDeleting(false)} /> : null}
    </>
  );
}

function SummaryCard({ job }: { job: TJob }) {
  const definition = job.definition;
  const rows: [string, ReactNode][] = [
    [
      "Folder",
      <span key="folder" className="font-mono">
        {job.folder}
      </span>,
    ],
    [
      "Tags",
      job.tags.length ? (
        <span key="tags" className="flex flex-wrap gap-1">
          {job.tags.map((tag) => (
            <Badge key={tag}>{tag}</Badge>
          ))}
        </span>
      ) : (
        "—"
      ),
    ],
    ["Version", `v${job.latestVersion} (${job.versionCount} in all)`],
    ["Targets", describeTargets(definition.targets)],
    ["Strategy", definition.strategy === "step-first" ? "Step first" : "Target first"],
    ["Concurrency", definition.concurrency],
    ["Fan-out", definition.fanOut ?? "all at once"],
    ["Worker group", definition.workerGroup],
    ["Updated", formatDateTime(job.updatedAt)],
  ];
  return (
    <Card id="summary" title="Summary">
      <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-2 text-sm" data-job-summary>
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-slate-500 dark:text-slate-400">{label}</dt>
            <dd className="min-w-0 text-slate-800 dark:text-slate-200">{value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

function StepsSummary({ job }: { job: TJob }) {
  const { parameters, steps } = job.definition;
  return (
    <Card id="steps" title={`Steps (${steps.length})`}>
      <ol className="space-y-2 text-sm" data-job-steps>
        {steps.map((step, index) => {
          const condition = describeCondition(step.when);
          return (
            <li key={step.key} className="flex gap-3">
              <span className="mt-0.5 flex size-6 shrink-0 items-center justify-center rounded-full bg-slate-100 text-xs font-medium tabular-nums dark:bg-slate-800">
                {index + 1}
              </span>
              <div className="min-w-0">
                <p className="font-medium text-slate-900 dark:text-white">
                  {step.name} <span className="font-mono text-xs font-normal text-slate-500">{step.key}</span>
                </p>
                <p className="truncate font-mono text-xs text-slate-600 dark:text-slate-300">
                  {describeStepAction(step.action)}
                </p>
                {condition || step.continueOnError || step.retry.count ? (
                  <p className="text-xs text-slate-500 dark:text-slate-400">
                    {[
                      condition,
                      step.continueOnError ? "continues on error" : "",
                      step.retry.count ? `${step.retry.count} retries` : "",
                    ]
                      .filter(Boolean)
                      .join(" · ")}
                  </p>
                ) : null}
              </div>
            </li>
          );
        })}
      </ol>
      {parameters.length ? (
        <p className="mt-4 text-xs text-slate-500 dark:text-slate-400">
          Parameters: {parameters.map((parameter) => `${parameter.name} (${parameter.type})`).join(", ")}
        </p>
      ) : null}
    </Card>
  );
}

/** The latest version as the YAML it exports to; read-only (Edit changes it). */
function DefinitionCard({ job }: { job: TJob }) {
  const yaml = useMemo(() => jobToYaml(job.name, job.definition), [job]);
  return (
    <Card id="definition" title="Definition">
      <details>
        <summary className="cursor-pointer text-sm text-indigo-700 dark:text-indigo-300">
          Show as YAML
        </summary>
        <pre
          className="mt-3 max-h-[32rem] overflow-auto rounded-md bg-slate-50 p-3 font-mono text-xs leading-5 dark:bg-slate-950"
          data-definition-yaml
        >
          {yaml}
        </pre>
      </details>
    </Card>
  );
}

function JobSchedulesTab({
  job,
  schedules,
  canWrite,
}: {
  job: TJob;
  schedules: TSchedule[];
  canWrite: boolean;
}) {
  const [dialog, setDialog] = useState<{
    kind: "create" | "edit" | "delete";
    schedule: TSchedule | null;
  } | null>(null);
  const close = useCallback(() => setDialog(null), []);
  const action = `/jobs/${job.id}?tab=schedules`;
  return (
    <div className="space-y-4">
      {canWrite ? (
        <Button variant="secondary" onClick={() => setDialog({ kind: "create", schedule: null })}>
          New schedule
        </Button>
      ) : null}
      <SchedulesTable
        schedules={schedules}
        showJob={false}
        action={action}
        onAction={canWrite ? (kind, schedule) => setDialog({ kind, schedule }) : null}
      />
      {canWrite ? (
        <>
          <ScheduleDialog
            open={dialog?.kind === "create" || dialog?.kind === "edit"}
            onClose={close}
            schedule={dialog?.kind === "edit" ? dialog.schedule : null}
            job={{ id: job.id, name: job.name, parameters: job.definition.parameters }}
            action={action}
          />
          <DeleteScheduleDialog
            schedule={dialog?.kind === "delete" ? dialog.schedule : null}
            onClose={close}
          />
        </>
      ) : null}
    </div>
  );
}

function DeleteJobDialog({ job, open, onClose }: { job: TJob; open: boolean; onClose: () => void }) {
  const fetcher = useFetcher<JobDetailActionResult>({ key: "delete-job" });
  const result = fetcher.data?.intent === "delete-job" ? fetcher.data : undefined;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={`Delete ${job.name}?`}
      description="Its versions, schedules and webhooks go with it. Runs keep the job's name and version."
    >
      <ConfirmDeleteForm
        fetcher={fetcher}
        intent="delete-job"
        id={job.id}
        label={job.name}
        result={result}
        onCancel={onClose}
        submitLabel="Delete job"
      />
    </Dialog>
  );
}
