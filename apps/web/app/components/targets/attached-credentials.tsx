import type { TCredential } from "@opsc/contracts/targets/credentials";
import type { TTarget } from "@opsc/contracts/targets/targets";
import { Link } from "react-router";
import { CREDENTIAL_KIND_LABELS } from "../../lib/credentials.presenter.ts";
import { Card } from "../ui/card.tsx";

/**
 * The credentials a target uses, by name (links to /credentials). Viewers may not read credentials, so they see
 * only whether one is attached; `credentials` is null for them (and while loading).
 */
export function AttachedCredentials({
  target,
  credentials,
  canRead,
}: {
  target: TTarget;
  credentials: TCredential[] | null;
  canRead: boolean;
}) {
  const slots = [
    { label: target.kind === "ssh" ? "Login" : "Request credential", id: target.credentialId },
    ...(target.kind === "ssh" ? [{ label: "sudo", id: target.sudoCredentialId }] : []),
  ];
  return (
    <Card id="credentials" title="Credentials">
      <dl className="space-y-3 text-sm" data-attached-credentials>
        {slots.map((slot) => {
          const credential = slot.id ? credentials?.find((candidate) => candidate.id === slot.id) : undefined;
          return (
            <div key={slot.label}>
              <dt className="text-xs text-slate-500 dark:text-slate-400">{slot.label}</dt>
              <dd>
                {!slot.id ? (
                  <span className="text-slate-500">None</span>
                ) : credential ? (
                  <>
                    <Link
                      to={`/credentials#credential-${credential.id}`}
                      className="rounded font-medium text-indigo-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-indigo-300"
                    >
                      {credential.name}
                    </Link>{" "}
                    <span className="text-xs text-slate-500">
                      {CREDENTIAL_KIND_LABELS[credential.kind]}
                      {credential.username ? ` · ${credential.username}` : ""}
                    </span>
                    <div className="break-all font-mono text-xs text-slate-500">{credential.fingerprint}</div>
                  </>
                ) : canRead && credentials === null ? (
                  <span className="text-slate-500">Loading…</span>
                ) : (
                  <span className="text-slate-600 dark:text-slate-300">
                    Attached{canRead ? " (no longer listed)" : " (your role cannot see credentials)"}
                  </span>
                )}
              </dd>
            </div>
          );
        })}
      </dl>
    </Card>
  );
}
