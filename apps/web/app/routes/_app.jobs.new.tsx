import { JobEditorPage } from "../components/jobs/job-editor-page.tsx";
import { type SaveJobInput, saveJobAction } from "../lib/jobs.client.ts";
import type { Route } from "./+types/_app.jobs.new";

export const meta: Route.MetaFunction = () => [{ title: "New job · OpsConductor" }];

// The editor posts the definition as JSON (it is structured state, not form fields); a saved job opens its page.
export async function clientAction({ request }: Route.ClientActionArgs) {
  return saveJobAction((await request.json()) as SaveJobInput);
}

export default function NewJob() {
  return <JobEditorPage job={null} />;
}
