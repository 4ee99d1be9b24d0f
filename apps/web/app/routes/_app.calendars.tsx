import { CalendarsPage } from "../components/calendars/calendars-page.tsx";
import { loadCalendarsPage, runCalendarAction } from "../lib/calendars.client.ts";
import type { Route } from "./+types/_app.calendars";

export const meta: Route.MetaFunction = () => [{ title: "Calendars · OpsConductor" }];

export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadCalendarsPage(request);
}

export async function clientAction({ request }: Route.ClientActionArgs) {
  return runCalendarAction(await request.formData());
}

export default function Calendars({ loaderData }: Route.ComponentProps) {
  return <CalendarsPage page={loaderData} />;
}
