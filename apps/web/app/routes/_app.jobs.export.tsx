import { Navigate } from "react-router";
import { loadJobsExport } from "../lib/jobs.client.ts";
import type { Route } from "./+types/_app.jobs.export";

// Loaded by the list's export button (`/jobs/export?folder=…`), which saves the YAML as a file. A snapshot: never
// reloaded after an action, or the browser would download it again.
export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadJobsExport(request);
}

export function shouldRevalidate() {
  return false;
}

export default function ExportRedirect() {
  return <Navigate to="/jobs" replace />;
}
