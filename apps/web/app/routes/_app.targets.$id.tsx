import { isRouteErrorResponse, Link, type ShouldRevalidateFunctionArgs } from "react-router";
import { TargetDetailPage } from "../components/targets/target-detail-page.tsx";
import { buttonClass } from "../components/ui/button.tsx";
import { describeFailure } from "../lib/failure.client.ts";
import { loadTargetDetail, runTargetsAction, type TargetsActionResult } from "../lib/targets.client.ts";
import type { Route } from "./+types/_app.targets.$id";

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: `${loaderData?.target.name ?? "Target"} · OpsConductor` },
];

export async function clientLoader({ params }: Route.ClientLoaderArgs) {
  return loadTargetDetail(params.id);
}

export async function clientAction({ request }: Route.ClientActionArgs) {
  return runTargetsAction(await request.formData());
}

// After deleting, the page leaves for /targets; reloading the target first would only find it gone.
export function shouldRevalidate({ actionResult, defaultShouldRevalidate }: ShouldRevalidateFunctionArgs) {
  const result = actionResult as TargetsActionResult | undefined;
  if (result?.intent === "delete" && result.ok) return false;
  return defaultShouldRevalidate;
}

export default function TargetDetail({ loaderData }: Route.ComponentProps) {
  return <TargetDetailPage detail={loaderData} />;
}

/** A missing target (deleted, a stale link) stays inside the app frame with a way back. */
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <div className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h1 className="text-xl font-semibold text-slate-900 dark:text-white">
        {notFound ? "Target not found" : "The target could not be loaded"}
      </h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        {notFound ? "It may have been deleted, or the link is wrong." : describeFailure(error)}
      </p>
      <Link to="/targets" className={`${buttonClass("secondary")} mt-6`}>
        Back to the targets
      </Link>
    </div>
  );
}
