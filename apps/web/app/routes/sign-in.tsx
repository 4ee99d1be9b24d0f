import { redirect } from "react-router";
import { AuthCardSkeleton } from "../components/auth/auth-card.tsx";
import { SignInForm } from "../components/auth/sign-in-form.tsx";
import { formText } from "../lib/action-result.ts";
import {
  hasSession,
  loadSetupStatus,
  signInWithPassword,
  signInWithSecondFactor,
} from "../lib/auth.client.ts";
import { safeNextPath } from "../lib/format.ts";
import type { Route } from "./+types/sign-in";

export const meta: Route.MetaFunction = () => [{ title: "Sign in · OpsConductor" }];

const NOTICES: Record<string, string> = {
  done: "The administrator account is ready. Sign in with it.",
  exists: "An administrator already exists. Sign in instead.",
};

export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  const params = new URL(request.url).searchParams;
  const [signedIn, setup] = await Promise.all([
    hasSession(),
    loadSetupStatus().catch(() => ({ needsSetup: false })),
  ]);
  if (signedIn) throw redirect(safeNextPath(params.get("next")));
  return {
    needsSetup: setup.needsSetup,
    next: params.get("next"),
    email: params.get("email") ?? "",
    notice: params.has("signed-out") ? "You have signed out." : (NOTICES[params.get("setup") ?? ""] ?? null),
  };
}

export async function clientAction({ request }: Route.ClientActionArgs) {
  const form = await request.formData();
  const next = formText(form, "next") || null;
  return formText(form, "intent") === "second-factor"
    ? signInWithSecondFactor(form, next)
    : signInWithPassword(form, next);
}

export function HydrateFallback() {
  return <AuthCardSkeleton />;
}

export default function SignIn({ loaderData, actionData }: Route.ComponentProps) {
  return <SignInForm {...loaderData} result={actionData} />;
}
