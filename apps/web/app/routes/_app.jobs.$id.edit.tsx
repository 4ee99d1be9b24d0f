import { JobEditorPage } from "../components/jobs/job-editor-page.tsx";
import { JobNotFound } from "../components/jobs/job-not-found.tsx";
import { loadJob, type SaveJobInput, saveJobAction } from "../lib/jobs.client.ts";
import type { Route } from "./+types/_app.jobs.$id.edit";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: `Edit ${loaderData?.name ?? "job"} · OpsConductor` },
];

export async function clientLoader({ params }: Route.ClientLoaderArgs) {
  return loadJob(params.id);
}

// The editor posts the definition as JSON with the version it started from; a saved version opens the job's page,
// a conflict (someone saved meanwhile) comes back to the editor, which offers a reload.
export async function clientAction({ request }: Route.ClientActionArgs) {
  return saveJobAction((await request.json()) as SaveJobInput);
}

// The editor's state is the user's work: it is not reloaded behind their back, only when they ask (a conflict).
export function shouldRevalidate({ formMethod }: { formMethod?: string }) {
  return formMethod === undefined;
}

export default function EditJob({ loaderData }: Route.ComponentProps) {
  // A reload after a conflict brings a newer version: the editor starts over from it.
  return <JobEditorPage key={`${loaderData.id}:${loaderData.latestVersion}`} job={loaderData} />;
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <JobNotFound error={error} />;
}
