import { certificateWatches, watchAlerts } from '../api/staff';
import { staff, staffCredentials } from '../session';
import { formatDateTime } from '../format';
import { ErrorMessage, Loading, useAsync } from '../ui/status';
import { ConsoleLayout } from './ConsoleLayout';

const watchKinds: Record<string, string> = { on_too_long: '長時間つけたまま', idle_too_long: '長時間操作なし' };

/** 見守りアラート: residents who consented and whose TV stayed on too long or showed no activity, newest first. */
export function WatchAlerts() {
  const municipalityCode = staff.value!.municipalityCode;
  const list = useAsync(() => watchAlerts(staffCredentials(), municipalityCode), [municipalityCode], 60000);
  const alerts = list.data?.watchAlerts ?? [];
  return (
    <ConsoleLayout title="見守りアラート" titleEn="Watch alerts">
      {list.loading && !list.data && <Loading />}
      <ErrorMessage error={list.error} />
      {list.data && (alerts.length === 0 ? <p>アラートはありません。/ No alerts.</p> : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="見守りアラート / Watch alerts">
          <table>
            <thead><tr><th scope="col">氏名</th><th scope="col">地区</th><th scope="col">内容</th><th scope="col">いつから</th><th scope="col">検知</th><th scope="col">通知</th></tr></thead>
            <tbody>{alerts.map((a) => (
              <tr key={a.watchAlertId}>
                <th scope="row">{a.displayName}</th>
                <td>{a.districtCode}</td>
                <td>{watchKinds[a.kind] ?? a.kind}</td>
                <td>{formatDateTime(a.since)}</td>
                <td>{formatDateTime(a.raisedAt)}</td>
                <td>{a.notifiedAt ? formatDateTime(a.notifiedAt) : '—'}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      ))}
    </ConsoleLayout>
  );
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
