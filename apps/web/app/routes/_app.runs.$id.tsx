import { isRouteErrorResponse, Link } from "react-router";
import { RunDetailPage } from "../components/execution/run-detail-page.tsx";
import { buttonClass } from "../components/ui/button.tsx";
import { executionLiveApi, loadRunDetail, runExecutionAction } from "../lib/execution.client.ts";
import { describeFailure } from "../lib/failure.client.ts";
import type { Route } from "./+types/_app.runs.$id";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: `${loaderData?.run.name ?? "Run"} · Runs · OpsConductor` },
];

export async function clientLoader({ params }: Route.ClientLoaderArgs) {
  return loadRunDetail(params.id);
}

// Cancel stays here (the run reloads); "Retry failed" redirects to the new run.
export async function clientAction({ request }: Route.ClientActionArgs) {
  return runExecutionAction(await request.formData());
}

export default function RunDetail({ loaderData }: Route.ComponentProps) {
  // The task pages, the live log and its download are fetched by the page as it scrolls and follows; it gets the
  // calls from here, since components do not import the SDK.
  return <RunDetailPage detail={loaderData} api={executionLiveApi} />;
}

/** A missing run (a stale link) stays inside the app frame with a way back. */
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <div className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h1 className="text-xl font-semibold text-slate-900 dark:text-white">
        {notFound ? "Run not found" : "The run could not be loaded"}
      </h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        {notFound ? "The link may be wrong." : describeFailure(error)}
      </p>
      <Link to="/runs" className={`${buttonClass("secondary")} mt-6`}>
        Back to the runs
      </Link>
    </div>
  );
}
