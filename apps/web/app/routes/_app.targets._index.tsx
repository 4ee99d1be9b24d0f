import { TargetsPage } from "../components/targets/targets-page.tsx";
import { loadTargetsPage, runTargetsAction } from "../lib/targets.client.ts";
import type { Route } from "./+types/_app.targets._index";

export const meta: Route.MetaFunction = () => [{ title: "Targets · OpsConductor" }];

export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadTargetsPage(request);
}

export async function clientAction({ request }: Route.ClientActionArgs) {
  return runTargetsAction(await request.formData());
}

export default function Targets({ loaderData }: Route.ComponentProps) {
  return <TargetsPage page={loaderData} />;
}
