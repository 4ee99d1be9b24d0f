import { Link } from "react-router";
import { PageHeader } from "../components/layout/app-shell.tsx";
import { Badge, RoleBadge } from "../components/ui/badge.tsx";
import { useProfile } from "../lib/app-data.ts";
import { hasRole } from "../lib/roles.ts";
import type { Route } from "./+types/_app._index";

export const meta: Route.MetaFunction = () => [{ title: "Dashboard · OpsConductor" }];

interface Shortcut {
  to: string;
  title: string;
  text: string;
  /** Pages outside the React app (the API reference) need a full page load. */
  isDocument?: boolean;
}

function shortcutsFor(isAdmin: boolean): Shortcut[] {
  return [
    ...(isAdmin
      ? [
          {
            to: "/users",
            title: "Users",
            text: "Invite people, set their roles, disable or remove accounts.",
          },
        ]
      : []),
    {
      to: "/profile",
      title: "Profile",
      text: "Your name, password, theme, two-factor sign-in and API keys.",
    },
    {
      to: "/profile#api-keys",
      title: "API keys",
      text: "Create keys for scripts and CI; each is limited to a role.",
    },
    {
      to: "/api/docs",
      title: "API reference",
      text: "Every REST endpoint, with a console to try them.",
      isDocument: true,
    },
  ];
}

const cardClass =
  "group block rounded-xl border border-slate-200 bg-white p-5 shadow-sm transition hover:border-indigo-300 hover:shadow focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-800 dark:bg-slate-900 dark:hover:border-indigo-500/60";

export default function Dashboard() {
  const { user, effectiveRole } = useProfile();
  const firstName = user.name.split(/\s+/)[0] || user.name;
  return (
    <>
      <PageHeader
        title={`Welcome, ${firstName}`}
        description="OpsConductor runs and tracks your automation from one place."
      />
      <section
        aria-label="Your account"
        className="mb-8 flex flex-wrap items-center gap-3 text-sm text-slate-600 dark:text-slate-300"
      >
        <span>Signed in as {user.email}</span>
        <RoleBadge role={effectiveRole} />
        {user.twoFactorEnabled ? (
          <Badge tone="green">Two-factor on</Badge>
        ) : (
          <Link
            to="/profile#two-factor"
            className="rounded focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
          >
            <Badge tone="amber">Two-factor off — turn it on</Badge>
          </Link>
        )}
      </section>
      <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {shortcutsFor(hasRole(effectiveRole, "admin")).map((shortcut) => (
          <li key={shortcut.to}>
            {shortcut.isDocument ? (
              <a href={shortcut.to} className={cardClass}>
                <ShortcutBody shortcut={shortcut} />
              </a>
            ) : (
              <Link to={shortcut.to} className={cardClass}>
                <ShortcutBody shortcut={shortcut} />
              </Link>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

function ShortcutBody({ shortcut }: { shortcut: Shortcut }) {
  return (
    <>
      <h2 className="font-semibold text-slate-900 group-hover:text-indigo-700 dark:text-white dark:group-hover:text-indigo-300">
        {shortcut.title} <span aria-hidden="true">→</span>
      </h2>
      <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">{shortcut.text}</p>
    </>
  );
}
