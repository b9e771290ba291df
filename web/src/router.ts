// Path routing with the History API; the DevHost and Static Web Apps answer every page path with index.html.
import { signal, useSignal } from './signal';

export const path = signal(location.pathname);
addEventListener('popstate', () => (path.value = location.pathname));

export function navigate(to: string) {
  if (to === location.pathname + location.search) return;
  history.pushState(null, '', to);
  path.value = location.pathname;
  scrollTo(0, 0);
}

export const usePath = () => useSignal(path);

/** Follows same-origin links without reloading the page. */
export function onLinkClick(e: MouseEvent) {
  const a = (e.target as Element | null)?.closest('a');
  if (!a || a.target || a.hasAttribute('download') || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api') || url.pathname.startsWith('/dev')) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
}
