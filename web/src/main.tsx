import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import './styles.css';
import { navigate, onLinkClick, usePath } from './router';
import { citizen, staff } from './session';
import { useSignal } from './signal';
import { Layout } from './ui/Layout';
import { Login } from './portal/Login';
import { Home } from './portal/Home';
import { Mailbox, MailboxMessage } from './portal/Mailbox';
import { Applications } from './portal/Applications';
import { TvPairing } from './portal/TvPairing';
import { MedicalLog } from './portal/MedicalLog';
import { SignIn } from './console/SignIn';
import { Disaster } from './console/Disaster';
import { AlertForm } from './console/AlertForm';
import { ChildcareApplication, ChildcareInbox } from './console/Childcare';
import { CertificateWatches, WatchAlerts } from './console/Watches';

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to), [to]);
  return null;
}

function Portal({ path }: { path: string }) {
  const session = useSignal(citizen);
  if (path === '/portal/login') return <Login />;
  if (!session || session.expiresAt <= Date.now()) return <Redirect to="/portal/login" />;
  if (path === '/portal' || path === '/portal/') return <Home />;
  if (path === '/portal/mailbox') return <Mailbox />;
  const message = /^\/portal\/mailbox\/([^/]+)$/.exec(path);
  if (message) return <MailboxMessage messageId={decodeURIComponent(message[1])} />;
  if (path === '/portal/applications') return <Applications />;
  if (path === '/portal/tv') return <TvPairing />;
  if (path === '/portal/medical') return <MedicalLog />;
  return <NotFound />;
}

function Console({ path }: { path: string }) {
  const session = useSignal(staff);
  if (path === '/console/sign-in') return <SignIn />;
  if (!session) return <Redirect to="/console/sign-in" />;
  if (path === '/console' || path === '/console/' || path === '/console/disaster') {
    return <Disaster alertId={new URLSearchParams(location.search).get('alert') ?? undefined} />;
  }
  if (path === '/console/alerts/new') return <AlertForm />;
  if (path === '/console/childcare') return <ChildcareInbox />;
  const app = /^\/console\/childcare\/([^/]+)$/.exec(path);
  if (app) return <ChildcareApplication applicationId={decodeURIComponent(app[1])} />;
  if (path === '/console/watch-alerts') return <WatchAlerts />;
  if (path === '/console/certificate-watches') return <CertificateWatches />;
  return <NotFound />;
}

function Start() {
  return (
    <Layout area="ServerlessMyKey" areaHref="/" nav={[]} title="マイナンバーカードで使うサービス" titleEn="Services with the My Number Card">
      <ul class="choices">
        <li><a href="/portal">住民ポータル<span class="en" lang="en">Citizen portal — MyKey ID, points, mailbox, applications</span></a></li>
        <li><a href="/console">自治体コンソール<span class="en" lang="en">Municipality console — disaster, child-care, watches (staff)</span></a></li>
      </ul>
    </Layout>
  );
}

function NotFound() {
  return (
    <Layout area="ServerlessMyKey" areaHref="/" nav={[]} title="ページが見つかりません" titleEn="Page not found">
      <p><a href="/">トップへ / Home</a></p>
    </Layout>
  );
}

function App() {
  const path = usePath();
  if (path.startsWith('/portal')) return <Portal path={path} />;
  if (path.startsWith('/console')) return <Console path={path} />;
  if (path === '/') return <Start />;
  return <NotFound />;
}

document.addEventListener('click', onLinkClick);
render(<App />, document.getElementById('app')!);
