import { isRouteErrorResponse, Link, redirect, type ShouldRevalidateFunctionArgs } from "react-router";
import { ScanDetailPage } from "../components/discovery/scan-detail-page.tsx";
import { buttonClass } from "../components/ui/button.tsx";
import { type DiscoveryActionResult, loadScanDetail, runDiscoveryAction } from "../lib/discovery.client.ts";
import { describeFailure } from "../lib/failure.client.ts";
import type { Route } from "./+types/_app.discovery.scans.$id";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: `${loaderData?.scan.name ?? "Scan"} · Discovery · OpsConductor` },
];

export async function clientLoader({ params, request }: Route.ClientLoaderArgs) {
  return loadScanDetail(params.id, request);
}

// "Run now" here shows the new run straight away; everything else stays on the page it came from.
export async function clientAction({ request, params }: Route.ClientActionArgs) {
  const result = await runDiscoveryAction(await request.formData());
  if (result.intent === "run-scan" && result.ok && result.data.run)
    throw redirect(`/discovery/scans/${params.id}?run=${result.data.run.id}`);
  return result;
}

// After deleting the scan, the page leaves for /discovery; reloading it first would only find it gone.
export function shouldRevalidate({ actionResult, defaultShouldRevalidate }: ShouldRevalidateFunctionArgs) {
  const result = actionResult as DiscoveryActionResult | undefined;
  if (result?.intent === "delete-scan" && result.ok) return false;
  return defaultShouldRevalidate;
}

export default function ScanDetail({ loaderData }: Route.ComponentProps) {
  return <ScanDetailPage detail={loaderData} />;
}

/** A missing scan (deleted, a stale link) stays inside the app frame with a way back. */
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <div className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h1 className="text-xl font-semibold text-slate-900 dark:text-white">
        {notFound ? "Scan not found" : "The scan could not be loaded"}
      </h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        {notFound ? "It may have been deleted, or the link is wrong." : describeFailure(error)}
      </p>
      <Link to="/discovery" className={`${buttonClass("secondary")} mt-6`}>
        Back to discovery
      </Link>
    </div>
  );
}
