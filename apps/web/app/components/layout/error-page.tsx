import { Link } from "react-router";
import { buttonClass } from "../ui/button.tsx";
import { Logo } from "./logo.tsx";

/** A full-page message for errors outside the app layout (unknown URL, a crash in the root). */
export function ErrorPage({ title, message }: { title: string; message: string }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-6 p-6 text-center">
      <Logo className="text-lg" />
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold">{title}</h1>
        <p className="text-slate-600 dark:text-slate-400">{message}</p>
      </div>
      <Link to="/" className={buttonClass("primary")}>
        Go to the dashboard
      </Link>
    </main>
  );
}
