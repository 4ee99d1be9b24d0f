import { SchedulesPage } from "../components/schedules/schedules-page.tsx";
import { loadSchedulesPage, runScheduleAction } from "../lib/schedules.client.ts";
import type { Route } from "./+types/_app.schedules";

export const meta: Route.MetaFunction = () => [{ title: "Schedules · OpsConductor" }];

export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadSchedulesPage(request);
}

export async function clientAction({ request }: Route.ClientActionArgs) {
  return runScheduleAction(await request.formData());
}

export default function Schedules({ loaderData }: Route.ComponentProps) {
  return <SchedulesPage page={loaderData} />;
}
