import { PageHeader } from "../components/layout/app-shell.tsx";
import { AccountForm } from "../components/profile/account-form.tsx";
import { ApiKeysPanel } from "../components/profile/api-keys-panel.tsx";
import { PasswordForm } from "../components/profile/password-form.tsx";
import { ThemeForm } from "../components/profile/theme-form.tsx";
import { TwoFactorPanel } from "../components/profile/two-factor-panel.tsx";
import { useProfile } from "../lib/app-data.ts";
import { loadApiKeys, runProfileAction } from "../lib/profile.client.ts";
import type { Route } from "./+types/_app.profile";

export const meta: Route.MetaFunction = () => [{ title: "Profile · OpsConductor" }];

// The profile itself comes from the layout's loader; only the API keys are this page's own data.
export async function clientLoader() {
  return { apiKeys: await loadApiKeys() };
}

export async function clientAction({ request }: Route.ClientActionArgs) {
  return runProfileAction(await request.formData());
}

export default function Profile({ loaderData }: Route.ComponentProps) {
  const profile = useProfile();
  return (
    <>
      <PageHeader title="Profile" description="Your account, sign-in security and API access." />
      <div className="grid gap-6 lg:grid-cols-2">
        <AccountForm user={profile.user} role={profile.effectiveRole} />
        <ThemeForm />
        <PasswordForm />
        <TwoFactorPanel isEnabled={profile.user.twoFactorEnabled} />
        <div className="lg:col-span-2">
          <ApiKeysPanel apiKeys={loaderData.apiKeys} role={profile.effectiveRole} />
        </div>
      </div>
    </>
  );
}
