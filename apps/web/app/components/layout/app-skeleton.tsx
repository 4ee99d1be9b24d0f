import { Logo } from "./logo.tsx";

/** What server rendering sends for signed-in pages: the frame, until the browser has loaded the user. */
export function AppSkeleton() {
  return (
    <div className="min-h-screen md:grid md:grid-cols-[15rem_1fr]" aria-busy="true">
      <aside className="border-b border-slate-200 bg-white px-4 py-3 md:h-screen md:border-r md:border-b-0 md:py-5 dark:border-slate-800 dark:bg-slate-900">
        <div className="md:px-3">
          <Logo className="text-slate-900 dark:text-white" />
        </div>
        <div className="mt-6 hidden space-y-2 md:block">
          {[1, 2, 3].map((row) => (
            <div key={row} className="h-8 animate-pulse rounded-md bg-slate-100 dark:bg-slate-800" />
          ))}
        </div>
      </aside>
      <main className="mx-auto w-full max-w-6xl px-4 py-8 sm:px-6">
        <p className="text-sm text-slate-500 dark:text-slate-400">Loading…</p>
      </main>
    </div>
  );
}
