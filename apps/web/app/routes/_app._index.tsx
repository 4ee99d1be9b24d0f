import { DashboardPage } from "../components/dashboard/dashboard-page.tsx";
import { loadDashboard } from "../lib/dashboard.client.ts";
import type { Route } from "./+types/_app._index";

export const meta: Route.MetaFunction = () => [{ title: "Dashboard · OpsConductor" }];

export async function clientLoader() {
  return loadDashboard();
}

export default function Dashboard({ loaderData }: Route.ComponentProps) {
  return <DashboardPage data={loaderData} />;
}
