import { Outlet, type ShouldRevalidateFunctionArgs } from "react-router";
import { AppShell } from "../components/layout/app-shell.tsx";
import { AppSkeleton } from "../components/layout/app-skeleton.tsx";
import { ErrorPage } from "../components/layout/error-page.tsx";
import { ThemeProvider } from "../components/layout/theme.tsx";
import { ToastProvider } from "../components/ui/toast.tsx";
import { describeFailure } from "../lib/failure.client.ts";
import { saveThemePreference } from "../lib/profile.client.ts";
import { loadProfile } from "../lib/session.client.ts";
import type { Route } from "./+types/_app";

/** Every page inside this layout needs a session; without one, loadProfile redirects to /sign-in. */
export async function clientLoader() {
  return { profile: await loadProfile() };
}

// Typing in the /users search box changes only the query string: the profile does not need reloading for that.
export function shouldRevalidate({
  currentUrl,
  nextUrl,
  formMethod,
  defaultShouldRevalidate,
}: ShouldRevalidateFunctionArgs) {
  if (!formMethod && currentUrl.pathname === nextUrl.pathname) return false;
  return defaultShouldRevalidate;
}

export function HydrateFallback() {
  return <AppSkeleton />;
}

export default function AppLayout({ loaderData }: Route.ComponentProps) {
  const { profile } = loaderData;
  return (
    <ThemeProvider savedTheme={profile.preferences.theme} save={saveThemePreference}>
      <ToastProvider>
        <AppShell profile={profile}>
          <Outlet />
        </AppShell>
      </ToastProvider>
    </ThemeProvider>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorPage title="OpsConductor is unavailable" message={describeFailure(error)} />;
}
