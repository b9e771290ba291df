// The alerts this browser sent (the API has no alert list yet): newest first, at most 20.
const key = 'smk.recentAlerts';

export function recentAlerts(): string[] {
  try {
    return JSON.parse(localStorage.getItem(key) ?? '[]') as string[];
  } catch {
    return [];
  }
}

export function rememberAlert(alertId: string) {
  localStorage.setItem(key, JSON.stringify([alertId, ...recentAlerts().filter((a) => a !== alertId)].slice(0, 20)));
}
