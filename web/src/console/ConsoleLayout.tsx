import type { ComponentChildren } from 'preact';
import { Layout, type NavItem } from '../ui/Layout';
import { staff } from '../session';
import { navigate } from '../router';

export const consoleNav: NavItem[] = [
  { href: '/console/disaster', ja: '防災', en: 'Disaster' },
  { href: '/console/alerts/new', ja: '警報の発信', en: 'Send an alert' },
  { href: '/console/childcare', ja: '子育て申請', en: 'Child-care inbox' },
  { href: '/console/watch-alerts', ja: '見守りアラート', en: 'Watch alerts' },
  { href: '/console/certificate-watches', ja: '証明書の失効監視', en: 'Certificate watches' },
];

export function ConsoleLayout(props: { title: string; titleEn: string; children: ComponentChildren }) {
  const signedIn = staff.value !== null;
  return (
    <Layout
      area="自治体コンソール"
      areaHref="/console"
      nav={signedIn ? consoleNav : []}
      title={props.title}
      titleEn={props.titleEn}
      actions={signedIn && (
        <button type="button" class="link" onClick={() => { staff.value = null; navigate('/console/sign-in'); }}>
          サインアウト<span class="en" lang="en">Sign out</span>
        </button>
      )}
    >
      {props.children}
    </Layout>
  );
}
