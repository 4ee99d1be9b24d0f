import { THEMES, type Theme } from "../../lib/theme.ts";
import { useTheme } from "../layout/theme.tsx";
import { Card } from "../ui/card.tsx";
import { useToast } from "../ui/toast.tsx";

const DESCRIPTIONS: Record<Theme, string> = {
  system: "Match this device",
  light: "Always light",
  dark: "Always dark",
};

/** The same preference as the toggle in the top bar, saved to your account so every browser follows it. */
export function ThemeForm() {
  const { theme, setTheme } = useTheme();
  const toast = useToast();
  function choose(next: Theme) {
    setTheme(next).then(
      () => toast("success", `Theme set to ${next}.`),
      () => toast("error", "Could not save the theme preference."),
    );
  }
  return (
    <Card id="appearance" title="Appearance" description="Saved to your account.">
      <fieldset>
        <legend className="mb-3 text-sm font-medium text-slate-700 dark:text-slate-200">Theme</legend>
        <div className="grid gap-2 sm:grid-cols-3">
          {THEMES.map((option) => (
            <label
              key={option}
              className="flex cursor-pointer items-start gap-2 rounded-lg border border-slate-200 p-3 text-sm has-checked:border-indigo-500 has-checked:bg-indigo-50 has-focus-visible:ring-2 has-focus-visible:ring-indigo-500 dark:border-slate-700 dark:has-checked:border-indigo-400 dark:has-checked:bg-indigo-500/10"
            >
              <input
                type="radio"
                name="theme"
                value={option}
                checked={theme === option}
                onChange={() => choose(option)}
                className="mt-0.5 text-indigo-600 focus:outline-none"
              />
              <span>
                <span className="block font-medium capitalize">{option}</span>
                <span className="block text-xs text-slate-500 dark:text-slate-400">
                  {DESCRIPTIONS[option]}
                </span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
    </Card>
  );
}
