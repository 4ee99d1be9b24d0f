import { Navigate } from "react-router";
import { loadTargetsExport } from "../lib/targets.client.ts";
import type { Route } from "./+types/_app.targets.export";

// Loaded by the export menu's fetcher (`/targets/export?format=yaml&selector=…`); the menu saves the content
// as a file. It is a snapshot: never reloaded after an action, or the browser would download it again.
export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadTargetsExport(request);
}

export function shouldRevalidate() {
  return false;
}

export default function ExportRedirect() {
  return <Navigate to="/targets" replace />;
}
