export interface PreferencesTable {
  user_id: string;
  theme: "system" | "light" | "dark";
  time_zone: string;
  updated_at: Date;
}
