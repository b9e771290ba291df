import type { ComponentChildren } from 'preact';
import { Layout, type NavItem } from '../ui/Layout';
import { citizen } from '../session';
import { navigate } from '../router';

export const portalNav: NavItem[] = [
  { href: '/portal', ja: 'マイページ', en: 'My page' },
  { href: '/portal/mailbox', ja: '私書箱', en: 'Mailbox' },
  { href: '/portal/applications', ja: '申請', en: 'Applications' },
  { href: '/portal/tv', ja: 'テレビ連携', en: 'TV pairing' },
  { href: '/portal/medical', ja: '医療情報の閲覧記録', en: 'Medical access log' },
];

export function PortalLayout(props: { title: string; titleEn: string; children: ComponentChildren }) {
  const signedIn = citizen.value !== null;
  return (
    <Layout
      area="住民ポータル"
      areaHref="/portal"
      nav={signedIn ? portalNav : []}
      title={props.title}
      titleEn={props.titleEn}
      actions={signedIn && (
        <button type="button" class="link" onClick={() => { citizen.value = null; navigate('/portal/login'); }}>
          サインアウト<span class="en" lang="en">Sign out</span>
        </button>
      )}
    >
      {props.children}
    </Layout>
  );
}
