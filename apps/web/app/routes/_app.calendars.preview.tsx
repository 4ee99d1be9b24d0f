import { Navigate } from "react-router";
import { loadCalendarPreview } from "../lib/calendars.client.ts";
import type { Route } from "./+types/_app.calendars.preview";

// Loaded by fetchers: a saved calendar's upcoming windows (`?id=`), or the form's while it is edited (`?draft=`).
export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadCalendarPreview(request);
}

export function shouldRevalidate() {
  return false;
}

export default function PreviewRedirect() {
  return <Navigate to="/calendars" replace />;
}
