import type { ShouldRevalidateFunctionArgs } from "react-router";
import { JobDetailPage } from "../components/jobs/job-detail-page.tsx";
import { JobNotFound } from "../components/jobs/job-not-found.tsx";
import { loadJobDetail, runJobDetailAction } from "../lib/job-detail.client.ts";
import type { Route } from "./+types/_app.jobs.$id";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: `${loaderData?.job.name ?? "Job"} · Jobs · OpsConductor` },
];

export async function clientLoader({ params, request }: Route.ClientLoaderArgs) {
  return loadJobDetail(params.id, request);
}

// Deleting the job, and its schedules' and webhooks' buttons and dialogs.
export async function clientAction({ params, request }: Route.ClientActionArgs) {
  return runJobDetailAction(params.id, await request.formData());
}

// A webhook's secret is shown from the action's result; reloading the list after it is fine (the secret is not in
// it), but a failed action changes nothing worth reloading.
export function shouldRevalidate({ actionResult, defaultShouldRevalidate }: ShouldRevalidateFunctionArgs) {
  if (actionResult && (actionResult as { ok?: boolean }).ok === false) return false;
  return defaultShouldRevalidate;
}

export default function JobDetail({ loaderData }: Route.ComponentProps) {
  return <JobDetailPage detail={loaderData} />;
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <JobNotFound error={error} />;
}
