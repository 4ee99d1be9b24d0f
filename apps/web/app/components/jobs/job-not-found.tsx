import { isRouteErrorResponse, Link } from "react-router";
import { describeFailure } from "../../lib/failure.client.ts";
import { buttonClass } from "../ui/button.tsx";

/** A missing job (deleted, a stale link) stays inside the app frame with a way back. */
export function JobNotFound({ error }: { error: unknown }) {
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <div className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h1 className="text-xl font-semibold text-slate-900 dark:text-white">
        {notFound ? "Job not found" : "The job could not be loaded"}
      </h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        {notFound ? "It may have been deleted, or the link is wrong." : describeFailure(error)}
      </p>
      <Link to="/jobs" className={`${buttonClass("secondary")} mt-6`}>
        Back to jobs
      </Link>
    </div>
  );
}
