import { Form, useNavigation } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { SetupResult } from "../../lib/auth.client.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/field.tsx";
import { AuthCard } from "./auth-card.tsx";

export function SetupForm({ token, result }: { token: string; result: SetupResult | undefined }) {
  const navigation = useNavigation();
  const isSubmitting = navigation.state !== "idle" && navigation.formMethod === "POST";
  const errors = fieldErrorsOf(result);
  const generalError = result && !result.ok && Object.keys(errors).length === 0 ? result.message : null;
  return (
    <AuthCard
      title="Create the first administrator"
      description="This account can add everybody else. Setup works once, until an administrator exists."
    >
      <Form method="post" className="space-y-4" noValidate>
        {generalError ? <Alert tone="error">{generalError}</Alert> : null}
        {/* The token arrives in the link; the field only shows when it is missing or was rejected. */}
        {token && !errors.token ? (
          <input type="hidden" name="token" value={token} />
        ) : (
          <TextField
            label="Setup token"
            name="token"
            defaultValue={token}
            autoComplete="off"
            spellCheck={false}
            required
            error={errors.token}
            hint="Printed in the terminal when OpsConductor started."
          />
        )}
        <TextField label="Name" name="name" autoComplete="name" required error={errors.name} />
        <TextField
          label="E-mail"
          name="email"
          type="email"
          autoComplete="username"
          required
          error={errors.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          error={errors.password}
          hint="At least 12 characters."
        />
        <TextField
          label="Repeat the password"
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          required
          error={errors.confirmPassword}
        />
        <Button type="submit" className="w-full" isPending={isSubmitting} pendingLabel="Creating…">
          Create administrator
        </Button>
      </Form>
    </AuthCard>
  );
}
