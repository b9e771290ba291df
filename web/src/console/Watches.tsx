import { certificateWatches, watchAlerts } from '../api/staff';
import { staffCredentials } from '../session';
import { formatDateTime } from '../format';
import { ErrorMessage, Loading, useAsync } from '../ui/status';
import { ConsoleLayout } from './ConsoleLayout';

/** 見守りアラート: residents whose TV stayed on too long or showed no activity (GET /api/disaster/watch-alerts). */
export function WatchAlerts() {
  const list = useAsync(() => watchAlerts(staffCredentials()), [], 60000);
  const alerts = list.data?.alerts ?? list.data?.watchAlerts ?? [];
  const columns = [...new Set(alerts.flatMap((a) => Object.keys(a)))].slice(0, 8);
  return (
    <ConsoleLayout title="見守りアラート" titleEn="Watch alerts">
      {list.loading && !list.data && <Loading />}
      <ErrorMessage error={list.error} />
      {list.data && (alerts.length === 0 ? <p>アラートはありません。/ No alerts.</p> : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="見守りアラート / Watch alerts">
          <table>
            <thead><tr>{columns.map((c) => <th scope="col" key={c}>{c}</th>)}</tr></thead>
            <tbody>{alerts.map((a, i) => <tr key={i}>{columns.map((c) => <td key={c}>{display(a[c])}</td>)}</tr>)}</tbody>
          </table>
        </div>
      ))}
    </ConsoleLayout>
  );
}

function display(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return formatDateTime(v);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const statusLabels: Record<string, string> = { good: '有効', revoked: '失効', expired: '期限切れ', unknown: '不明' };

/** The municipality's watched certificates (失効監視) and their last check. */
export function CertificateWatches() {
  const list = useAsync(() => certificateWatches(staffCredentials()), [], 60000);
  return (
    <ConsoleLayout title="証明書の失効監視" titleEn="Certificate watches">
      {list.loading && !list.data && <Loading />}
      <ErrorMessage error={list.error} />
      {list.data && (list.data.watches.length === 0 ? <p>監視中の証明書はありません。/ No watches.</p> : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="監視中の証明書 / Watched certificates">
          <table data-testid="watch-table">
            <thead><tr><th scope="col">シリアル番号</th><th scope="col">種別</th><th scope="col">状態</th><th scope="col">確認日時</th><th scope="col">有効期限</th><th scope="col">通知</th></tr></thead>
            <tbody>{list.data.watches.map((w) => (
              <tr key={w.watchId} class={w.status === 'revoked' ? 'attention' : undefined}>
                <th scope="row"><code>{w.serialNumber}</code></th>
                <td>{w.kind === 'signing' ? '署名用' : w.kind === 'authentication' ? '利用者証明用' : w.kind ?? '—'}</td>
                <td>{statusLabels[w.status] ?? w.status}{w.reason ? `（${w.reason}）` : ''}</td>
                <td>{formatDateTime(w.checkedAt)}</td>
                <td>{formatDateTime(w.notAfter)}</td>
                <td>{w.notifiedAt ? formatDateTime(w.notifiedAt) : '—'}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      ))}
    </ConsoleLayout>
  );
}
