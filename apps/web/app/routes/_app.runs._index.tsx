import { RunsPage } from "../components/execution/runs-page.tsx";
import { loadRunsPage } from "../lib/execution.client.ts";
import type { Route } from "./+types/_app.runs._index";

export const meta: Route.MetaFunction = () => [{ title: "Runs · OpsConductor" }];

export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadRunsPage(request);
}

export default function Runs({ loaderData }: Route.ComponentProps) {
  return <RunsPage page={loaderData} />;
}
