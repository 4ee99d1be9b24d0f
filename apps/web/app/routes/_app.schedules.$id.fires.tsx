import { Navigate } from "react-router";
import { loadScheduleFires } from "../lib/schedules.client.ts";
import type { Route } from "./+types/_app.schedules.$id.fires";

// Loaded by a schedule row's "History" fetcher.
export async function clientLoader({ params }: Route.ClientLoaderArgs) {
  return loadScheduleFires(params.id);
}

export default function FiresRedirect() {
  return <Navigate to="/schedules" replace />;
}
