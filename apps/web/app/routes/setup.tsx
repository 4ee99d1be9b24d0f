import { redirect } from "react-router";
import { AuthCardSkeleton } from "../components/auth/auth-card.tsx";
import { SetupForm } from "../components/auth/setup-form.tsx";
import { createFirstAdmin, loadSetupStatus } from "../lib/auth.client.ts";
import type { Route } from "./+types/setup";

export const meta: Route.MetaFunction = () => [{ title: "Set up · OpsConductor" }];

/** Only while no administrator exists; afterwards the link is dead and sign-in is the way in. */
export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  const { needsSetup } = await loadSetupStatus();
  if (!needsSetup) throw redirect("/sign-in?setup=exists");
  return { token: new URL(request.url).searchParams.get("token") ?? "" };
}

export async function clientAction({ request }: Route.ClientActionArgs) {
  return createFirstAdmin(await request.formData());
}

export function HydrateFallback() {
  return <AuthCardSkeleton />;
}

export default function Setup({ loaderData, actionData }: Route.ComponentProps) {
  return <SetupForm token={loaderData.token} result={actionData} />;
}
