import { Navigate, useParams } from "react-router";
import { loadChoices } from "../lib/jobs.client.ts";
import type { Route } from "./+types/_app.jobs.$id.choices";

// Loaded by the run form's fetchers (`/jobs/:id/choices?parameter=&values=&key=`): a dynamic choice parameter's
// options for the values the form holds now.
export async function clientLoader({ params, request }: Route.ClientLoaderArgs) {
  return loadChoices(params.id, request);
}

export function shouldRevalidate() {
  return false;
}

export default function ChoicesRedirect() {
  const { id } = useParams();
  return <Navigate to={`/jobs/${id}/run`} replace />;
}
