import { useEffect, useId, useRef, useState } from "react";
import { Link, useFetcher, useNavigate } from "react-router";
import { useProfile } from "../../lib/app-data.ts";
import { saveFile } from "../../lib/download.ts";
import { formatDateTime } from "../../lib/format.ts";
import type { JobRow, JobsExport, JobsListPage } from "../../lib/jobs.client.ts";
import { type FolderNode, type JobsQuery, jobsExportFileName, jobsHref } from "../../lib/jobs.presenter.ts";
import { hasRole } from "../../lib/roles.ts";
import { formatAgo } from "../../lib/targets.presenter.ts";
import { RunStateBadge } from "../execution/state-badges.tsx";
import { PageHeader } from "../layout/app-shell.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button, buttonClass } from "../ui/button.tsx";
import { CursorPager } from "../ui/cursor-pager.tsx";
import { inputClass } from "../ui/field.tsx";
import { EmptyListNote, ListTable } from "../ui/list-table.tsx";
import { useToast } from "../ui/toast.tsx";

const SEARCH_DEBOUNCE_MS = 300;

/** /jobs: the folder tree, search and tag filter (all in the URL), the jobs with their last run, paging. */
export function JobsPage({ page }: { page: JobsListPage }) {
  const { effectiveRole } = useProfile();
  const canWrite = hasRole(effectiveRole, "operator");
  const href = (query: JobsQuery | null) => (query ? jobsHref(query) : null);
  return (
    <>
      <PageHeader
        title="Jobs"
        description="Saved, versioned automation: parameters, targets and steps, run by hand, on a schedule or by a webhook."
        actions={
          <div className="flex flex-wrap gap-2">
            <ExportButton folder={page.query.folder} />
            {canWrite ? (
              <>
                <Link to="/jobs/import" className={buttonClass("secondary")}>
                  Import YAML
                </Link>
                <Link to="/jobs/new" className={buttonClass()}>
                  New job
                </Link>
              </>
            ) : null}
          </div>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[14rem_1fr]">
        <FolderTree folders={page.folders} query={page.query} />
        <div className="min-w-0">
          <JobsFilters query={page.query} tags={page.tags} />
          <JobsTable jobs={page.jobs} />
          <CursorPager
            label="Job pages"
            summary={page.jobs.length ? `${page.jobs.length} jobs on this page` : "No jobs"}
            page={page.paging.page}
            first={href(page.paging.first)}
            previous={href(page.paging.previous)}
            next={href(page.paging.next)}
          />
        </div>
      </div>
    </>
  );
}

function FolderTree({ folders, query }: { folders: FolderNode[]; query: JobsQuery }) {
  const current = query.folder ?? "/";
  return (
    <nav aria-label="Folders" className="lg:sticky lg:top-4 lg:self-start">
      <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
        Folders
      </h2>
      <ul className="space-y-0.5 text-sm" data-folder-tree>
        {folders.map((folder) => {
          const active = folder.path === current;
          return (
            <li key={folder.path}>
              <Link
                to={jobsHref({ ...query, folder: folder.path === "/" ? null : folder.path, cursors: [] })}
                aria-current={active ? "page" : undefined}
                data-folder={folder.path}
                style={{ paddingLeft: `${0.5 + folder.depth * 0.75}rem` }}
                className={`flex items-center justify-between gap-2 rounded-md py-1 pr-2 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${
                  active
                    ? "bg-indigo-50 font-medium text-indigo-700 dark:bg-indigo-500/15 dark:text-indigo-200"
                    : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
                }`}
              >
                <span className="truncate">{folder.depth ? folder.label : "All jobs"}</span>
                <span className="tabular-nums text-xs text-slate-500 dark:text-slate-400">
                  {folder.total}
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** Search (debounced) and tag, in the URL; a change starts over at the first page. */
function JobsFilters({ query, tags }: { query: JobsQuery; tags: string[] }) {
  const navigate = useNavigate();
  const [search, setSearch] = useState(query.search);
  const [tag, setTag] = useState(query.tag ?? "");
  const ids = { search: useId(), tag: useId(), tags: useId() };
  const written = useRef(query.search);
  useEffect(() => {
    if (query.search === written.current) return;
    written.current = query.search;
    setSearch(query.search);
  }, [query.search]);
  useEffect(() => setTag(query.tag ?? ""), [query.tag]);
  useEffect(() => {
    const next = search.trim();
    if (next === query.search) return;
    const timer = setTimeout(() => {
      written.current = next;
      navigate(jobsHref({ ...query, search: next, cursors: [] }), { replace: true });
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search, query, navigate]);
  const applyTag = (value: string) => {
    const next = value.trim().toLowerCase();
    if (next !== (query.tag ?? "")) navigate(jobsHref({ ...query, tag: next || null, cursors: [] }));
  };
  return (
    <search className="mb-4 flex flex-wrap items-end gap-3">
      <div className="min-w-60 flex-1">
        <label
          htmlFor={ids.search}
          className="mb-1.5 block text-sm font-medium text-slate-700 dark:text-slate-200"
        >
          Search
        </label>
        <input
          id={ids.search}
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          placeholder="Job name"
          className={inputClass}
        />
      </div>
      <form
        className="flex items-end gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          applyTag(tag);
        }}
      >
        <div className="w-44">
          <label
            htmlFor={ids.tag}
            className="mb-1.5 block text-sm font-medium text-slate-700 dark:text-slate-200"
          >
            Tag
          </label>
          <input
            id={ids.tag}
            list={ids.tags}
            value={tag}
            onChange={(event) => setTag(event.target.value)}
            onBlur={() => applyTag(tag)}
            placeholder="any"
            autoComplete="off"
            className={inputClass}
          />
          <datalist id={ids.tags}>
            {tags.map((candidate) => (
              <option key={candidate} value={candidate} />
            ))}
          </datalist>
        </div>
        {query.tag ? (
          <Button variant="ghost" onClick={() => applyTag("")}>
            Clear tag
          </Button>
        ) : null}
      </form>
    </search>
  );
}

function JobsTable({ jobs }: { jobs: JobRow[] }) {
  if (!jobs.length) return <EmptyListNote>No jobs match these filters.</EmptyListNote>;
  const now = new Date();
  return (
    <ListTable
      frame="card"
      columns={[
        { label: "Job" },
        { label: "Tags" },
        { label: "Version" },
        { label: "Last run" },
        { label: "Updated" },
      ]}
      cellClass="px-4 py-3"
      hasSmallText
    >
      {jobs.map((job) => (
        <tr key={job.id} data-job-row={job.name}>
          <td className="max-w-80 px-4 py-3">
            <Link
              to={`/jobs/${job.id}`}
              className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
            >
              {job.name}
            </Link>
            <p className="truncate text-xs text-slate-500 dark:text-slate-400" title={job.description}>
              <span className="font-mono">{job.folder}</span>
              {job.description ? ` · ${job.description.split("\n")[0]}` : ""}
            </p>
          </td>
          <td className="px-4 py-3">
            <div className="flex flex-wrap gap-1">
              {job.tags.map((tag) => (
                <Badge key={tag}>{tag}</Badge>
              ))}
            </div>
          </td>
          <td className="px-4 py-3 tabular-nums text-slate-600 dark:text-slate-300">v{job.latestVersion}</td>
          <td className="whitespace-nowrap px-4 py-3">
            {job.lastRun ? (
              <Link
                to={`/runs/${job.lastRun.id}`}
                className="inline-flex items-center gap-2"
                title={formatDateTime(job.lastRun.createdAt)}
              >
                <RunStateBadge state={job.lastRun.state} />
                <span className="text-xs text-slate-500 dark:text-slate-400">
                  {formatAgo(job.lastRun.createdAt, now)}
                </span>
              </Link>
            ) : (
              <span className="text-xs text-slate-500 dark:text-slate-400">Never run</span>
            )}
          </td>
          <td
            className="whitespace-nowrap px-4 py-3 text-slate-600 dark:text-slate-300"
            title={formatDateTime(job.updatedAt)}
          >
            {formatAgo(job.updatedAt, now)}
          </td>
        </tr>
      ))}
    </ListTable>
  );
}

/** Downloads every job of the folder shown (all jobs at the root) as one multi-document YAML file. */
function ExportButton({ folder }: { folder: string | null }) {
  const fetcher = useFetcher<JobsExport>({ key: "export-jobs" });
  const toast = useToast();
  const { data, state, reset } = fetcher;
  useEffect(() => {
    if (state !== "idle" || !data) return;
    saveFile(
      new Blob([data.yaml], { type: "application/yaml;charset=utf-8" }),
      jobsExportFileName(data.folder, new Date()),
    );
    toast("success", `Exported ${data.count === 1 ? "1 job" : `${data.count} jobs`}.`);
    reset();
  }, [state, data, reset, toast]);
  return (
    <Button
      variant="secondary"
      isPending={state !== "idle"}
      pendingLabel="Exporting…"
      title={folder ? `The jobs in ${folder} and below` : "Every job"}
      onClick={() => void fetcher.load(`/jobs/export${folder ? `?${new URLSearchParams({ folder })}` : ""}`)}
    >
      Export
    </Button>
  );
}
