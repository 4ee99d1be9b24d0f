import { useEffect, useRef, useState } from "react";
import { Form, useNavigation } from "react-router";
import type { SignInResult } from "../../lib/auth.client.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/field.tsx";
import { AuthCard } from "./auth-card.tsx";

interface SignInFormProps {
  needsSetup: boolean;
  next: string | null;
  email: string;
  notice: string | null;
  result: SignInResult | undefined;
}

/** Which step the last answer asks for: the code step sticks after a wrong code, until "start again". */
function stepOf(result: SignInResult | undefined): "password" | "second-factor" {
  if (!result) return "password";
  if (result.intent === "second-factor") return "second-factor";
  return result.ok ? "second-factor" : "password";
}

export function SignInForm({ needsSetup, next, email, notice, result }: SignInFormProps) {
  const navigation = useNavigation();
  const isSubmitting = navigation.state !== "idle" && navigation.formMethod === "POST";
  const [restarted, setRestarted] = useState<SignInResult | undefined>(undefined);
  const step = result && result === restarted ? "password" : stepOf(result);
  const codeRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (step === "second-factor") codeRef.current?.focus();
  }, [step]);

  if (step === "second-factor") {
    const error = result && !result.ok ? result.message : null;
    return (
      <AuthCard
        title="Two-factor sign-in"
        description="Enter the 6-digit code from your authenticator app, or one of your backup codes."
      >
        <Form method="post" className="space-y-4" noValidate>
          <input type="hidden" name="intent" value="second-factor" />
          <input type="hidden" name="next" value={next ?? ""} />
          {error ? <Alert tone="error">{error}</Alert> : null}
          <TextField
            ref={codeRef}
            label="Code"
            name="code"
            autoComplete="one-time-code"
            inputMode="text"
            spellCheck={false}
            required
            hint="Backup codes work here too; each can be used once."
          />
          <Button type="submit" className="w-full" isPending={isSubmitting} pendingLabel="Checking…">
            Verify
          </Button>
          <button
            type="button"
            onClick={() => setRestarted(result)}
            className="w-full rounded text-sm text-slate-500 underline-offset-2 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-400"
          >
            Start again with your password
          </button>
        </Form>
      </AuthCard>
    );
  }

  const error = result && !result.ok ? result.message : null;
  return (
    <AuthCard title="Sign in" description="Use the account an administrator created for you.">
      <Form method="post" className="space-y-4" noValidate>
        <input type="hidden" name="intent" value="password" />
        <input type="hidden" name="next" value={next ?? ""} />
        {notice && !error ? <Alert tone="success">{notice}</Alert> : null}
        {needsSetup ? (
          <Alert tone="info">
            No administrator exists yet. Open the setup link printed when OpsConductor started, or run{" "}
            <code>bun run admin:create</code>.
          </Alert>
        ) : null}
        {error ? <Alert tone="error">{error}</Alert> : null}
        <TextField
          label="E-mail"
          name="email"
          type="email"
          autoComplete="username"
          defaultValue={email}
          required
          autoFocus={!email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus={Boolean(email)}
        />
        <Button type="submit" className="w-full" isPending={isSubmitting} pendingLabel="Signing in…">
          Sign in
        </Button>
      </Form>
    </AuthCard>
  );
}
