import { Navigate } from "react-router";
import { loadWebhookDeliveries } from "../lib/job-detail.client.ts";
import type { Route } from "./+types/_app.webhooks.$id.deliveries";

// Loaded by a webhook row's "Deliveries" fetcher on the job's page.
export async function clientLoader({ params }: Route.ClientLoaderArgs) {
  return loadWebhookDeliveries(params.id);
}

export default function DeliveriesRedirect() {
  return <Navigate to="/jobs" replace />;
}
