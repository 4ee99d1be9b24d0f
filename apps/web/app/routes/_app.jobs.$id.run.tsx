import { JobNotFound } from "../components/jobs/job-not-found.tsx";
import { RunJobPage } from "../components/jobs/run-job-page.tsx";
import { loadRunJob, type RunJobRequest, runJobAction } from "../lib/jobs.client.ts";
import type { Route } from "./+types/_app.jobs.$id.run";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: `Run ${loaderData?.job.name ?? "job"} · OpsConductor` },
];

// Also loaded by the schedule form's fetcher, for a picked job's parameters.
export async function clientLoader({ params }: Route.ClientLoaderArgs) {
  return loadRunJob(params.id);
}

// The form posts JSON (its fields are generated from the job's parameters and checked before posting): a started
// run opens its page; a queued or skipped one, or the API's refusal, comes back to the form.
export async function clientAction({ params, request }: Route.ClientActionArgs) {
  return runJobAction(params.id, (await request.json()) as RunJobRequest);
}

export function shouldRevalidate() {
  return false;
}

export default function RunJob({ loaderData }: Route.ComponentProps) {
  return <RunJobPage job={loaderData.job} />;
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <JobNotFound error={error} />;
}
