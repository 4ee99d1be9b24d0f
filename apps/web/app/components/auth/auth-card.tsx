import type { ReactNode } from "react";
import { Logo } from "../layout/logo.tsx";

/** The centred card used by sign-in, setup and sign-out, outside the app layout. */
export function AuthCard({
  title,
  description,
  children,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <Logo className="mb-8 text-xl text-slate-900 dark:text-white" />
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold text-slate-900 dark:text-white">{title}</h1>
        {description ? (
          <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">{description}</p>
        ) : null}
        <div className="mt-6">{children}</div>
      </div>
    </main>
  );
}

/** Rendered during server rendering, until the browser has checked the session. */
export function AuthCardSkeleton() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 py-12" aria-busy="true">
      <Logo className="mb-8 text-xl text-slate-900 dark:text-white" />
      <div className="h-72 w-full max-w-sm animate-pulse rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900" />
    </main>
  );
}
