import { DiscoveryPage } from "../components/discovery/discovery-page.tsx";
import { loadDiscoveryPage, runDiscoveryAction } from "../lib/discovery.client.ts";
import type { Route } from "./+types/_app.discovery._index";

export const meta: Route.MetaFunction = () => [{ title: "Discovery · OpsConductor" }];

export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadDiscoveryPage(request);
}

export async function clientAction({ request }: Route.ClientActionArgs) {
  return runDiscoveryAction(await request.formData());
}

export default function Discovery({ loaderData }: Route.ComponentProps) {
  return <DiscoveryPage page={loaderData} />;
}
