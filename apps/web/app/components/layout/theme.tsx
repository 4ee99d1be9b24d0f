import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";
import { applyTheme, type Theme } from "../../lib/theme.ts";

interface ThemeContextValue {
  theme: Theme;
  /** Applies at once, then persists it to the user's preferences; rejects when saving fails. */
  setTheme: (theme: Theme) => Promise<void>;
}

const ThemeContext = createContext<ThemeContextValue | null>(null);

/**
 * Holds the theme inside the app layout. The saved preference from the API wins over the browser's copy in
 * localStorage (it follows the user across browsers); localStorage only exists to paint the first frame right.
 */
export function ThemeProvider({
  savedTheme,
  save,
  children,
}: {
  savedTheme: Theme;
  save: (theme: Theme) => Promise<void>;
  children: ReactNode;
}) {
  const [theme, setThemeState] = useState<Theme>(savedTheme);

  // The saved preference is read once, when the layout mounts (after sign-in or a reload). Later toggles in
  // this tab are the truth from then on, so a reload racing a pending save can never flip the theme back.
  const initialTheme = useRef(savedTheme);
  useEffect(() => {
    applyTheme(initialTheme.current);
  }, []);

  // "system" tracks the OS setting live, e.g. when it switches to dark at sunset.
  useEffect(() => {
    if (theme !== "system") return;
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    const onChange = () => applyTheme("system");
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, [theme]);

  const setTheme = useCallback(
    async (next: Theme) => {
      setThemeState(next);
      applyTheme(next);
      await save(next);
    },
    [save],
  );

  return <ThemeContext.Provider value={{ theme, setTheme }}>{children}</ThemeContext.Provider>;
}

export function useTheme(): ThemeContextValue {
  const value = useContext(ThemeContext);
  if (!value) throw new Error("useTheme must be used inside <ThemeProvider>");
  return value;
}
