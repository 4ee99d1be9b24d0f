import { NewRunPage } from "../components/execution/new-run-page.tsx";
import { loadNewRun, runExecutionAction } from "../lib/execution.client.ts";
import type { Route } from "./+types/_app.runs.new";

export const meta: Route.MetaFunction = () => [{ title: "Run command · OpsConductor" }];

export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadNewRun(request);
}

// Starting redirects to the new run's page; a refusal comes back with the API's errors at their fields.
export async function clientAction({ request }: Route.ClientActionArgs) {
  return runExecutionAction(await request.formData());
}

export default function NewRun({ loaderData }: Route.ComponentProps) {
  return <NewRunPage defaults={loaderData} />;
}
