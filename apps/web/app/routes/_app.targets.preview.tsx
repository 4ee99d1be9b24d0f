import { Navigate, useLocation } from "react-router";
import { loadSelectorPreview } from "../lib/targets.client.ts";
import type { Route } from "./+types/_app.targets.preview";

// Loaded by the selector box's fetcher (`/targets/preview?selector=…`): what the selector matches, or where
// its syntax breaks. Only this route's loader runs for a fetcher, so the list on the page stays as it is.
export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadSelectorPreview(request);
}

/** Opened as a page (a copied link): the list, filtered by the same selector, says it better. */
export default function SelectorPreviewRedirect() {
  const { search } = useLocation();
  return <Navigate to={`/targets${search}`} replace />;
}
