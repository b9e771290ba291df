import { medicalAccessLog } from '../api/citizen';
import { citizenCredentials } from '../session';
import { formatDateTime } from '../format';
import { ErrorMessage, Loading, useAsync } from '../ui/status';
import { PortalLayout } from './PortalLayout';

const kinds: Record<string, string> = { eligibility: '資格確認', 'consent-check': '同意の確認', checkin: '受付' };
const categories: Record<string, string> = { medication: '薬剤情報', checkups: '健診情報', clinical: '診療情報' };

/** Who looked at my insurance and medical data, newest first. */
export function MedicalLog() {
  const log = useAsync(() => medicalAccessLog(citizenCredentials()), []);
  return (
    <PortalLayout title="医療情報の閲覧記録" titleEn="Medical access log">
      {log.loading && !log.data && <Loading />}
      <ErrorMessage error={log.error} />
      {log.data && (log.data.entries.length === 0 ? <p>記録はありません。/ No entries.</p> : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="閲覧記録 / Access log">
          <table>
            <thead><tr><th scope="col">日時</th><th scope="col">医療機関</th><th scope="col">種別</th><th scope="col">区分</th><th scope="col">結果</th></tr></thead>
            <tbody>{log.data.entries.map((e, i) => (
              <tr key={i}>
                <td>{formatDateTime(e.at)}</td><td>{e.facilityCode}</td><td>{kinds[e.kind] ?? e.kind}</td>
                <td>{e.category ? categories[e.category] ?? e.category : '—'}</td><td>{e.allowed ? '許可' : '拒否'}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      ))}
    </PortalLayout>
  );
}
