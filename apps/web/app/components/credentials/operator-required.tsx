import { Link } from "react-router";
import { useProfile } from "../../lib/app-data.ts";
import { RoleBadge } from "../ui/badge.tsx";
import { buttonClass } from "../ui/button.tsx";

/** What a viewer sees on /credentials: the API refused the list, so say why instead of showing an error. */
export function OperatorRequired() {
  const { effectiveRole } = useProfile();
  return (
    <div className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h1 className="text-xl font-semibold text-slate-900 dark:text-white">You need the operator role</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        Credentials are listed to operators and managed by administrators. Your role is{" "}
        <RoleBadge role={effectiveRole} />; ask an administrator if you need more access.
      </p>
      <Link to="/targets" className={`${buttonClass("secondary")} mt-6`}>
        Back to the targets
      </Link>
    </div>
  );
}
