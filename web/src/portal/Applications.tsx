import { useState } from 'preact/hooks';
import { application } from '../api/citizen';
import { citizenCredentials } from '../session';
import { formatDateTime } from '../format';
import { ErrorMessage, Loading, useAsync } from '../ui/status';
import { PortalLayout } from './PortalLayout';
import { procedureLabels, statusLabels } from '../labels';

/** My applications (子育てワンストップ) and their timelines, by the application id of the receipt. */
export function Applications() {
  const [ids, setIds] = useState<string[]>(() => JSON.parse(localStorage.getItem('smk.applications') ?? '[]') as string[]);
  const [input, setInput] = useState('');
  function add(e: Event) {
    e.preventDefault();
    const id = input.trim();
    if (!id || ids.includes(id)) return;
    const next = [id, ...ids].slice(0, 20);
    localStorage.setItem('smk.applications', JSON.stringify(next));
    setIds(next);
    setInput('');
  }
  return (
    <PortalLayout title="申請" titleEn="My applications">
      <form class="inline" onSubmit={add}>
        <label for="app-id">申請ID<span class="en" lang="en">Application id</span></label>
        <input id="app-id" value={input} maxLength={64} onInput={(e) => setInput((e.target as HTMLInputElement).value)} />
        <button type="submit">表示<span class="en" lang="en">Show</span></button>
      </form>
      {ids.length === 0 && <p>申請IDを入力すると、申請の状況と経過が表示されます。</p>}
      {ids.map((id) => <ApplicationTimeline key={id} applicationId={id} />)}
    </PortalLayout>
  );
}

function ApplicationTimeline({ applicationId }: { applicationId: string }) {
  const a = useAsync(() => application(citizenCredentials(), applicationId), [applicationId]);
  return (
    <section class="card" aria-label={`申請 ${applicationId}`}>
      {a.loading && !a.data && <Loading />}
      <ErrorMessage error={a.error} />
      {a.data && (
        <>
          <h2>{procedureLabels[a.data.procedure] ?? a.data.procedure}<span class="en" lang="en">{a.data.receiptNumber}</span></h2>
          <p>状況: <strong>{statusLabels[a.data.status] ?? a.data.status}</strong></p>
          {a.data.missingDocuments && a.data.missingDocuments.length > 0 && <p>不足書類: {a.data.missingDocuments.join('、')}</p>}
          <ol class="timeline">
            {a.data.history.map((h, i) => <li key={i}><time dateTime={h.at}>{formatDateTime(h.at)}</time> {statusLabels[h.status] ?? h.status}</li>)}
          </ol>
        </>
      )}
    </section>
  );
}
