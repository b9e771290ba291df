import { me, points } from '../api/citizen';
import { citizen, citizenCredentials } from '../session';
import { formatDate, formatDateTime, formatNumber } from '../format';
import { ErrorMessage, Loading, useAsync } from '../ui/status';
import { PortalLayout } from './PortalLayout';

const entryKinds: Record<string, string> = {
  partner_conversion: 'ポイント交換', municipal_grant: '行政ポイント付与', assignment: '自治体へ移行',
  auto_assignment: '自動移行', debit: '利用', expiry: '失効',
};

/** My MyKey ID, my points balance (holding and per municipality) and the history, newest first. */
export function Home() {
  const myKeyId = citizen.value!.myKeyId;
  const profile = useAsync(() => me(citizenCredentials()), []);
  const statement = useAsync(() => points(citizenCredentials(), myKeyId), [myKeyId]);
  const s = statement.data;
  return (
    <PortalLayout title="マイページ" titleEn="My page">
      <section aria-labelledby="id-h">
        <h2 id="id-h">マイキーID<span class="en" lang="en">MyKey ID</span></h2>
        <p class="mykey-id" data-testid="mykey-id">{myKeyId}</p>
        {profile.data && <p>利用者証明用電子証明書の有効期限: {formatDate(profile.data.certificate.notAfter)}
          <span class="en" lang="en">Certificate valid until</span></p>}
        <ErrorMessage error={profile.error} />
      </section>
      <section aria-labelledby="pt-h">
        <h2 id="pt-h">自治体ポイント<span class="en" lang="en">Municipal points</span></h2>
        {statement.loading && !s && <Loading />}
        <ErrorMessage error={statement.error} />
        {s && (
          <>
            <dl class="balances">
              <div><dt>保留中<span class="en" lang="en">Holding</span></dt><dd data-testid="holding">{formatNumber(s.balance.holding)} pt</dd></div>
              {s.balance.municipalities.map((m) => (
                <div key={m.municipalityCode}>
                  <dt>自治体 {m.municipalityCode}<span class="en" lang="en">Municipality</span></dt>
                  <dd data-testid={`available-${m.municipalityCode}`}>{formatNumber(m.available)} pt
                    {m.expiring[0] && <small>（{formatDate(m.expiring[0].expiresAt)} に {formatNumber(m.expiring[0].amount)} pt 失効）</small>}
                  </dd>
                </div>
              ))}
            </dl>
            <h3>履歴<span class="en" lang="en">History</span></h3>
            {s.entries.length === 0 ? <p>まだ履歴はありません。/ No entries yet.</p> : (
              <div class="table-wrap" tabIndex={0} role="region" aria-label="ポイント履歴 / Points history">
                <table>
                  <caption class="sr-only">ポイント履歴（新しい順）</caption>
                  <thead><tr><th scope="col">日時</th><th scope="col">内容</th><th scope="col">ポイント</th><th scope="col">自治体・加盟店</th></tr></thead>
                  <tbody>
                    {s.entries.map((e) => (
                      <tr key={e.entryId}>
                        <td>{formatDateTime(e.at)}</td>
                        <td>{entryKinds[e.kind] ?? e.kind}</td>
                        <td class="num">{e.holdingDelta + e.municipalityDelta > 0 ? '+' : ''}{formatNumber(e.holdingDelta + e.municipalityDelta)}</td>
                        <td>{e.merchantId ?? e.municipalityCode ?? e.source?.id ?? '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </section>
    </PortalLayout>
  );
}
