import { ImportJobsPage } from "../components/jobs/import-jobs-page.tsx";
import { importJobsAction } from "../lib/jobs.client.ts";
import type { Route } from "./+types/_app.jobs.import";

export const meta: Route.MetaFunction = () => [{ title: "Import jobs · OpsConductor" }];

// "Preview" asks the API what the YAML would do; "Apply" does exactly that, in one transaction.
export async function clientAction({ request }: Route.ClientActionArgs) {
  return importJobsAction(await request.formData());
}

export default function ImportJobs() {
  return <ImportJobsPage />;
}
