import type { TCredentialKind } from "@opsc/contracts/targets/credentials";
import { SECRET_FIELDS } from "../../lib/credentials.presenter.ts";
import { TextField } from "../ui/field.tsx";
import { TextareaField } from "../ui/textarea-field.tsx";

/**
 * The write-only inputs of one kind of secret. Never prefilled: a stored secret cannot be read back, and the
 * browser is asked not to autofill or remember them.
 */
export function SecretFields({ kind, errors }: { kind: TCredentialKind; errors: Record<string, string> }) {
  return (
    <div className="space-y-4" data-secret-fields={kind}>
      {SECRET_FIELDS[kind].map((field) => {
        const label = field.optional ? `${field.label} (optional)` : field.label;
        if (field.type === "key") {
          return (
            <TextareaField
              key={field.name}
              label={label}
              name={field.name}
              rows={6}
              spellCheck={false}
              autoComplete="off"
              placeholder={field.placeholder}
              hint={field.hint}
              error={errors[field.name]}
              className="font-mono text-xs"
            />
          );
        }
        return (
          <TextField
            key={field.name}
            label={label}
            name={field.name}
            type={field.type === "secret" ? "password" : "text"}
            autoComplete={field.type === "secret" ? "new-password" : "off"}
            spellCheck={false}
            placeholder={field.placeholder}
            hint={field.hint}
            error={errors[field.name]}
            className={field.type === "text" ? "font-mono" : undefined}
          />
        );
      })}
    </div>
  );
}
