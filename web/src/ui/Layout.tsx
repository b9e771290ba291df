import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { usePath } from '../router';

export interface NavItem { href: string; ja: string; en: string }

/** A page: skip link, header with the area's navigation, one h1, main landmark; the title follows the page. */
export function Layout(props: { area: string; areaHref: string; nav: NavItem[]; title: string; titleEn: string; actions?: ComponentChildren; children: ComponentChildren }) {
  const current = usePath();
  useEffect(() => {
    document.title = `${props.title} | ${props.area} | ServerlessMyKey`;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [props.title, props.area]);
  return (
    <>
      <a class="skip" href="#main">本文へ移動 / Skip to content</a>
      <header class="site">
        <div class="bar">
          <a class="brand" href={props.areaHref}>{props.area}</a>
          {props.actions}
        </div>
        {props.nav.length > 0 && (
          <nav aria-label="メニュー / Menu">
            <ul>
              {props.nav.map((n) => (
                <li key={n.href}>
                  <a href={n.href} aria-current={current === n.href ? 'page' : undefined}>
                    {n.ja}<span class="en" lang="en">{n.en}</span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{props.title}<span class="en" lang="en">{props.titleEn}</span></h1>
        {props.children}
      </main>
      <footer class="site">
        <p>ServerlessMyKey — <a href="/">トップ / Home</a></p>
      </footer>
    </>
  );
}
