import type { JSX } from "react";
import { nextTheme, type Theme } from "../../lib/theme.ts";
import { useToast } from "../ui/toast.tsx";
import { MoonIcon, SunIcon, SystemIcon } from "./icons.tsx";
import { useTheme } from "./theme.tsx";

const LABELS: Record<Theme, string> = { system: "System theme", light: "Light theme", dark: "Dark theme" };
const ICONS: Record<Theme, () => JSX.Element> = { system: SystemIcon, light: SunIcon, dark: MoonIcon };

/** Cycles system → light → dark; the label names the current theme and what a click does. */
export function ThemeToggle() {
  const { theme, setTheme } = useTheme();
  const toast = useToast();
  const CurrentIcon = ICONS[theme];
  const next = nextTheme(theme);
  return (
    <button
      type="button"
      data-theme-toggle={theme}
      onClick={() => setTheme(next).catch(() => toast("error", "Could not save the theme preference."))}
      className="inline-flex items-center gap-2 rounded-md px-2 py-1.5 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white"
      aria-label={`${LABELS[theme]}. Switch to ${LABELS[next].toLowerCase()}`}
      title={`${LABELS[theme]} (click for ${LABELS[next].toLowerCase()})`}
    >
      <CurrentIcon />
      <span className="hidden capitalize sm:inline">{theme}</span>
    </button>
  );
}
