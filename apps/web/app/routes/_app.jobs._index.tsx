import { JobsPage } from "../components/jobs/jobs-page.tsx";
import { loadJobsPage } from "../lib/jobs.client.ts";
import type { Route } from "./+types/_app.jobs._index";

export const meta: Route.MetaFunction = () => [{ title: "Jobs · OpsConductor" }];

export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadJobsPage(request);
}

export default function Jobs({ loaderData }: Route.ComponentProps) {
  return <JobsPage page={loaderData} />;
}
