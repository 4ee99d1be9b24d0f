import { useEffect } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { ProfileActionResult } from "../../lib/profile.client.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { CopyButton } from "../ui/copy-button.tsx";
import { inputClass, TextField } from "../ui/field.tsx";
import { useResultToast } from "../ui/toast.tsx";

/** Generic failures go in an alert; failures about one field sit next to that field. */
function GeneralError({ result }: { result: ProfileActionResult | undefined }) {
  if (!result || result.ok || Object.keys(result.fieldErrors).length) return null;
  return <Alert tone="error">{result.message}</Alert>;
}

export function TwoFactorPanel({ isEnabled }: { isEnabled: boolean }) {
  const start = useFetcher<ProfileActionResult>({ key: "two-factor-enable" });
  const setup = start.data?.ok ? start.data.data : undefined;

  // Once verified, the layout reloads with twoFactorEnabled; the one-time secret and codes are dropped.
  useEffect(() => {
    if (isEnabled && start.data) start.reset();
  }, [isEnabled, start]);

  return (
    <Card
      id="two-factor"
      title="Two-factor sign-in"
      description="A code from an authenticator app (TOTP) in addition to your password."
      actions={isEnabled ? <Badge tone="green">On</Badge> : <Badge tone="amber">Off</Badge>}
    >
      {isEnabled ? (
        <DisableForm />
      ) : setup?.totpURI ? (
        <VerifyStep totpURI={setup.totpURI} backupCodes={setup.backupCodes ?? []} />
      ) : (
        <EnableForm fetcher={start} />
      )}
    </Card>
  );
}

function EnableForm({ fetcher }: { fetcher: ReturnType<typeof useFetcher<ProfileActionResult>> }) {
  useResultToast(fetcher.data, { errors: "inline" });
  const errors = fieldErrorsOf(fetcher.data);
  return (
    <fetcher.Form method="post" className="space-y-4" noValidate>
      <input type="hidden" name="intent" value="two-factor-enable" />
      <GeneralError result={fetcher.data} />
      <TextField
        label="Confirm with your password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={errors.password}
      />
      <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Starting…">
        Set up two-factor
      </Button>
    </fetcher.Form>
  );
}

function VerifyStep({ totpURI, backupCodes }: { totpURI: string; backupCodes: string[] }) {
  const fetcher = useFetcher<ProfileActionResult>({ key: "two-factor-verify" });
  useResultToast(fetcher.data, { errors: "inline" });
  const errors = fieldErrorsOf(fetcher.data);
  return (
    <div className="space-y-5">
      <ol className="list-decimal space-y-4 pl-5 text-sm">
        <li className="space-y-2">
          <p>Add this key to your authenticator app (most apps accept the whole link when you paste it):</p>
          <div className="flex gap-2">
            <input
              id="totp-uri"
              readOnly
              value={totpURI}
              className={`${inputClass} font-mono text-xs`}
              aria-label="otpauth link"
              data-totp-uri
            />
            <CopyButton value={totpURI} targetId="totp-uri" />
          </div>
        </li>
        <li className="space-y-2">
          <p>
            Save these backup codes somewhere safe. Each one signs you in once if you lose the app; they are{" "}
            <strong>shown only now</strong>.
          </p>
          <div className="flex items-start gap-2">
            <ul
              className="grid flex-1 grid-cols-2 gap-1 rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
              data-backup-codes
            >
              {backupCodes.map((code) => (
                <li key={code}>{code}</li>
              ))}
            </ul>
            <CopyButton value={backupCodes.join("\n")} label="Copy all" />
          </div>
        </li>
        <li>
          <fetcher.Form method="post" className="space-y-3" noValidate>
            <input type="hidden" name="intent" value="two-factor-verify" />
            <GeneralError result={fetcher.data} />
            <TextField
              label="Enter the 6-digit code the app shows"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              error={errors.code}
            />
            <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Verifying…">
              Turn on two-factor
            </Button>
          </fetcher.Form>
        </li>
      </ol>
    </div>
  );
}

function DisableForm() {
  const fetcher = useFetcher<ProfileActionResult>({ key: "two-factor-disable" });
  useResultToast(fetcher.data, { errors: "inline" });
  const errors = fieldErrorsOf(fetcher.data);
  return (
    <fetcher.Form method="post" className="space-y-4" noValidate>
      <input type="hidden" name="intent" value="two-factor-disable" />
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Sign-in asks for a code from your authenticator app.
      </p>
      <GeneralError result={fetcher.data} />
      <TextField
        label="Confirm with your password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={errors.password}
      />
      <Button type="submit" variant="danger" isPending={fetcher.state !== "idle"} pendingLabel="Turning off…">
        Turn off two-factor
      </Button>
    </fetcher.Form>
  );
}
