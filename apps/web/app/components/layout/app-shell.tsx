import type { TProfileResponse } from "@opsc/contracts/users/me";
import type { ReactNode } from "react";
import { Form, NavLink } from "react-router";
import { hasRole } from "../../lib/roles.ts";
import { RoleBadge } from "../ui/badge.tsx";
import {
  CalendarsIcon,
  CredentialsIcon,
  DiscoveryIcon,
  DocsIcon,
  HomeIcon,
  JobsIcon,
  ProfileIcon,
  RunsIcon,
  SchedulesIcon,
  SignOutIcon,
  TargetsIcon,
  UsersIcon,
} from "./icons.tsx";
import { Logo } from "./logo.tsx";
import { ThemeToggle } from "./theme-toggle.tsx";

const navItemClass = ({ isActive }: { isActive: boolean }) =>
  [
    "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors",
    "focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500",
    isActive
      ? "bg-indigo-50 text-indigo-700 dark:bg-indigo-500/15 dark:text-indigo-200"
      : "text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white",
  ].join(" ");

function Navigation({ isAdmin, isOperator }: { isAdmin: boolean; isOperator: boolean }) {
  return (
    <nav aria-label="Main" className="flex gap-1 overflow-x-auto md:flex-col md:overflow-visible">
      <NavLink to="/" end className={navItemClass}>
        <HomeIcon />
        Dashboard
      </NavLink>
      <NavLink to="/targets" className={navItemClass}>
        <TargetsIcon />
        Targets
      </NavLink>
      <NavLink to="/jobs" className={navItemClass}>
        <JobsIcon />
        Jobs
      </NavLink>
      <NavLink to="/runs" className={navItemClass}>
        <RunsIcon />
        Runs
      </NavLink>
      <NavLink to="/schedules" className={navItemClass}>
        <SchedulesIcon />
        Schedules
      </NavLink>
      <NavLink to="/calendars" className={navItemClass}>
        <CalendarsIcon />
        Calendars
      </NavLink>
      <NavLink to="/discovery" className={navItemClass}>
        <DiscoveryIcon />
        Discovery
      </NavLink>
      {/* Viewers may not list credentials (operators pick them for targets, admins manage them). */}
      {isOperator ? (
        <NavLink to="/credentials" className={navItemClass}>
          <CredentialsIcon />
          Credentials
        </NavLink>
      ) : null}
      {/* Only admins may manage users; the API enforces it, the menu just doesn't offer a dead end. */}
      {isAdmin ? (
        <NavLink to="/users" className={navItemClass}>
          <UsersIcon />
          Users
        </NavLink>
      ) : null}
      <NavLink to="/profile" className={navItemClass}>
        <ProfileIcon />
        Profile
      </NavLink>
      {/* /api/docs is served by the web server outside the React app, so it needs a full page load. */}
      <a href="/api/docs" className={navItemClass({ isActive: false })}>
        <DocsIcon />
        API docs
      </a>
    </nav>
  );
}

/** Sidebar on wide screens, a top bar with a scrolling menu on narrow ones. */
export function AppShell({ profile, children }: { profile: TProfileResponse; children: ReactNode }) {
  const { user, effectiveRole } = profile;
  return (
    <div className="min-h-screen md:grid md:grid-cols-[15rem_1fr]">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:left-4 focus:top-4 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:shadow dark:focus:bg-slate-900"
      >
        Skip to content
      </a>
      {/* The aside stretches with the page (its border runs to the bottom); its content stays in view. */}
      <aside className="border-b border-slate-200 bg-white px-4 py-3 md:border-r md:border-b-0 md:py-5 dark:border-slate-800 dark:bg-slate-900">
        <div className="md:sticky md:top-5 md:flex md:flex-col md:gap-6">
          <div className="mb-3 md:mb-0 md:px-3">
            <Logo className="text-slate-900 dark:text-white" />
          </div>
          <Navigation
            isAdmin={hasRole(effectiveRole, "admin")}
            isOperator={hasRole(effectiveRole, "operator")}
          />
        </div>
      </aside>
      <div className="flex min-w-0 flex-col">
        <header className="flex items-center justify-end gap-3 border-b border-slate-200 bg-white/80 px-4 py-2.5 backdrop-blur sm:px-6 dark:border-slate-800 dark:bg-slate-900/80">
          <ThemeToggle />
          <div className="flex min-w-0 items-center gap-2 border-l border-slate-200 pl-3 dark:border-slate-700">
            <div className="min-w-0 text-right leading-tight">
              <p className="truncate text-sm font-medium text-slate-900 dark:text-white" data-current-user>
                {user.name}
              </p>
              <p className="truncate text-xs text-slate-500 dark:text-slate-400">{user.email}</p>
            </div>
            <RoleBadge role={effectiveRole} />
          </div>
          <Form method="post" action="/sign-out">
            <button
              type="submit"
              className="inline-flex items-center gap-2 rounded-md px-2 py-1.5 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white"
            >
              <SignOutIcon />
              <span className="hidden sm:inline">Sign out</span>
            </button>
          </Form>
        </header>
        <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6 lg:py-8">
          {children}
        </main>
      </div>
    </div>
  );
}

/** Page heading with an optional action area (e.g. "Create user"). */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-white">{title}</h1>
        {description ? (
          <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">{description}</p>
        ) : null}
      </div>
      {actions}
    </div>
  );
}
