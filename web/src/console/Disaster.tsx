import { useMemo, useState } from 'preact/hooks';
import { alertStatus, evacuationStatus, evacuationStatusCsv, presence, presenceCsv } from '../api/staff';
import type { EvacuationRow, PresenceRow } from '../api/types';
import { staff, staffCredentials } from '../session';
import { downloadBlob, formatDateTime, todayJst } from '../format';
import { confirmationLabels, tvLabels } from '../labels';
import { ErrorMessage, Loading, useAsync } from '../ui/status';
import { ConsoleLayout } from './ConsoleLayout';
import { recentAlerts } from './recentAlerts';

export const presenceSlots = ['09:00', '15:00', '21:00'];
const liveRefreshMs = 5000;

/** The seed's two tables: 避難状況確認 for an alert (live while it runs) and 在宅状況確認 at 09:00/15:00/21:00. */
export function Disaster({ alertId: initialAlertId }: { alertId?: string }) {
  const alerts = recentAlerts();
  const [alertId, setAlertId] = useState(initialAlertId ?? alerts[0] ?? '');
  const [district, setDistrict] = useState('');
  const [date, setDate] = useState(todayJst());
  return (
    <ConsoleLayout title="防災" titleEn="Disaster">
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="表示条件 / Filters">
        <div>
          <label for="alert">警報ID<span class="en" lang="en">Alert id</span></label>
          <input id="alert" list="recent-alerts" value={alertId} maxLength={64} onChange={(e) => setAlertId((e.target as HTMLInputElement).value.trim())} />
          <datalist id="recent-alerts">{alerts.map((a) => <option key={a} value={a} />)}</datalist>
        </div>
        <div>
          <label for="district">地区コード<span class="en" lang="en">District</span></label>
          <input id="district" value={district} maxLength={32} placeholder="すべて / all" onChange={(e) => setDistrict((e.target as HTMLInputElement).value.trim())} />
        </div>
        <div>
          <label for="date">在宅確認の日付<span class="en" lang="en">Presence date</span></label>
          <input id="date" type="date" value={date} required onChange={(e) => setDate((e.target as HTMLInputElement).value)} />
        </div>
      </form>
      {alertId ? <EvacuationTable alertId={alertId} district={district} /> : <p>警報IDを入力すると避難状況が表示されます。</p>}
      <PresenceTable date={date} district={district} />
    </ConsoleLayout>
  );
}

function EvacuationTable({ alertId, district }: { alertId: string; district: string }) {
  const status = useAsync(() => alertStatus(staffCredentials(), alertId), [alertId], liveRefreshMs);
  const running = !status.data || isRunning(status.data.status, status.data.expires);
  const table = useAsync(() => evacuationStatus(staffCredentials(), alertId, district || undefined), [alertId, district], running ? liveRefreshMs : undefined);
  const rows = table.data?.rows ?? [];
  const evacuated = useMemo(() => rows.filter((r) => r.confirmation === 'evacuated').length, [rows]);
  return (
    <section aria-labelledby="evac-h" class="card">
      <div class="section-head">
        <h2 id="evac-h">避難状況確認<span class="en" lang="en">Evacuation status</span></h2>
        <button type="button" onClick={async () => downloadBlob(await evacuationStatusCsv(staffCredentials(), alertId, district || undefined), `evacuation-${alertId}.csv`)}>
          CSVダウンロード<span class="en" lang="en">Download CSV</span>
        </button>
      </div>
      {status.data && (
        <p role="status" aria-live="polite">
          警報 {alertId}: {alertStates[status.data.status] ?? status.data.status}{status.data.exercise ? '（訓練）' : ''}{running ? '・自動更新中 / live' : ''} ・ 避難済み {evacuated} / {rows.length} 人
          {` ・ 配信 ${status.data.counts.delivered} / ${status.data.counts.targets}、表示 ${status.data.counts.displayed}`}
        </p>
      )}
      <ErrorMessage error={status.error ?? table.error} />
      {table.loading && !table.data && <Loading />}
      {table.data && (
        <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="evac-h">
          <table data-testid="evacuation-table">
            <thead><tr><th scope="col">氏名</th><th scope="col">フリガナ</th><th scope="col">確認状況</th><th scope="col">発災時視聴状況</th><th scope="col">地区</th><th scope="col">避難所・時刻</th></tr></thead>
            <tbody>{rows.map((r: EvacuationRow) => (
              <tr key={r.residentId} class={r.confirmation === 'unconfirmed' ? 'attention' : undefined}>
                <th scope="row">{r.displayName}</th>
                <td>{r.furigana}</td>
                <td>{confirmationLabels[r.confirmation] ?? r.confirmation}</td>
                <td>{tvLabels[r.tvAtAlert] ?? r.tvAtAlert}</td>
                <td>{r.districtCode}</td>
                <td>{r.shelterId ? `${r.shelterId} ${formatDateTime(r.checkedInAt)}` : '—'}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function PresenceTable({ date, district }: { date: string; district: string }) {
  const municipalityCode = staff.value!.municipalityCode;
  const q = { municipalityCode, date, slots: presenceSlots.join(','), districtCode: district || undefined };
  const table = useAsync(() => presence(staffCredentials(), q), [municipalityCode, date, district], date === todayJst() ? 60000 : undefined);
  return (
    <section aria-labelledby="presence-h" class="card">
      <div class="section-head">
        <h2 id="presence-h">在宅状況確認<span class="en" lang="en">Presence at home ({date})</span></h2>
        <button type="button" onClick={async () => downloadBlob(await presenceCsv(staffCredentials(), q), `presence-${municipalityCode}-${date}.csv`)}>
          CSVダウンロード<span class="en" lang="en">Download CSV</span>
        </button>
      </div>
      <ErrorMessage error={table.error} />
      {table.loading && !table.data && <Loading />}
      {table.data && (
        <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="presence-h">
          <table data-testid="presence-table">
            <thead><tr><th scope="col">氏名</th>{presenceSlots.map((s) => <th scope="col" key={s}>{s}</th>)}</tr></thead>
            <tbody>{table.data.rows.map((r: PresenceRow) => (
              <tr key={r.residentId}>
                <th scope="row">{r.displayName}</th>
                {presenceSlots.map((s) => <td key={s} class={r.slots[s] ? undefined : 'attention'}>{r.slots[s] ? '在宅' : '不在・不明'}</td>)}
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const alertStates: Record<string, string> = {
  delivering: '配信中', delivered: '配信済み', stored: '保存のみ（配信なし）', expired: '期限切れ', cancelled: '取消し', updated: '更新済み',
};

/** The evacuation table changes while TVs still report and residents check in: until the alert expires or is withdrawn. */
function isRunning(status: string, expires?: string | null) {
  if (expires && Date.parse(expires) < Date.now()) return false;
  return status === 'delivering' || status === 'delivered';
}
