import { useState } from 'preact/hooks';
import * as cards from '../api/devCards';
import { createChallenge, createSession } from '../api/citizen';
import { base64ToBytes } from '../api/http';
import { citizen } from '../session';
import { navigate } from '../router';
import { ErrorMessage, Loading, useAsync } from '../ui/status';
import { PortalLayout } from './PortalLayout';

/**
 * Login with the My Number Card: the API's challenge is signed by the card's 利用者証明用 key.
 * In development the DevHost's virtual-card reader does the card's part; elsewhere a card reader
 * app is needed (the page says so instead of offering anything else).
 */
export function Login() {
  const reader = useAsync(async () => ((await cards.available()) ? (await cards.list()).cards : null), []);
  const [cardId, setCardId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function login(id: string) {
    setBusy(true);
    setError(null);
    try {
      const challenge = await createChallenge();
      const signed = await cards.sign(id, 'authentication', base64ToBytes(challenge.challenge));
      const session = await createSession(challenge.challengeId, signed.certificate, signed.signature);
      citizen.value = { myKeyId: session.myKeyId, accessToken: session.accessToken, expiresAt: Date.now() + session.expiresIn * 1000 };
      navigate('/portal');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <PortalLayout title="マイナンバーカードでログイン" titleEn="Log in with your My Number Card">
      {reader.loading && !reader.data && <Loading />}
      {reader.data === null && (
        <p>この環境ではカードを読み取れません。マイナンバーカード読み取りアプリからログインしてください。
          <span class="en" lang="en">No card reader here: log in from the card reader app.</span></p>
      )}
      {reader.data && (
        <>
          <p class="note">開発環境: <code>mykey</code> の仮想カードでログインします（本番では使えません）。
            <span class="en" lang="en">Development: log in with a mykey virtual card (never in production).</span></p>
          <form class="card" onSubmit={(e) => { e.preventDefault(); if (cardId) void login(cardId); }}>
            <label for="card">仮想カード<span class="en" lang="en">Virtual card</span></label>
            <select id="card" value={cardId} onChange={(e) => setCardId((e.target as HTMLSelectElement).value)} required>
              <option value="">選択してください / Choose</option>
              {reader.data.map((c) => <option key={c.cardId} value={c.cardId}>{c.cardId}</option>)}
            </select>
            <button type="submit" disabled={busy || !cardId}>ログイン<span class="en" lang="en">Log in</span></button>
          </form>
          <NewCard onIssued={(id) => { reader.reload(); setCardId(id); }} />
        </>
      )}
      {busy && <Loading>カードで署名しています… / Signing with the card…</Loading>}
      <ErrorMessage error={error ?? reader.error} />
    </PortalLayout>
  );
}

function NewCard({ onIssued }: { onIssued: (cardId: string) => void }) {
  const [error, setError] = useState<unknown>(null);
  async function submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    try {
      const { cardId } = await cards.issue({ name: `${f.get('name')}`, address: `${f.get('address')}`, birth: `${f.get('birth')}`, sex: `${f.get('sex')}` });
      onIssued(cardId);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <details class="card">
      <summary>仮想カードを発行する<span class="en" lang="en">Issue a virtual card</span></summary>
      <form onSubmit={submit}>
        <label for="nc-name">氏名<span class="en" lang="en">Name</span></label>
        <input id="nc-name" name="name" required maxLength={64} autoComplete="name" value="山田　太郎" />
        <label for="nc-address">住所<span class="en" lang="en">Address</span></label>
        <input id="nc-address" name="address" required maxLength={128} autoComplete="street-address" value="東京都千代田区霞が関2-1-2" />
        <label for="nc-birth">生年月日<span class="en" lang="en">Date of birth</span></label>
        <input id="nc-birth" name="birth" type="date" required value="1985-04-01" />
        <label for="nc-sex">性別<span class="en" lang="en">Sex</span></label>
        <select id="nc-sex" name="sex">
          <option value="male">男性 / male</option>
          <option value="female">女性 / female</option>
          <option value="unknown">回答しない / unknown</option>
        </select>
        <button type="submit">発行<span class="en" lang="en">Issue</span></button>
      </form>
      <ErrorMessage error={error} />
    </details>
  );
}
