import { Navigate } from "react-router";
import { loadSchedulePreview } from "../lib/schedules.client.ts";
import type { Route } from "./+types/_app.schedules.preview";

// Loaded by the schedule form's fetcher while its timing is edited: the next five fire times, or the API's
// objection to the expression or zone.
export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadSchedulePreview(request);
}

export function shouldRevalidate() {
  return false;
}

export default function PreviewRedirect() {
  return <Navigate to="/schedules" replace />;
}
