import { useState } from 'preact/hooks';
import { application, applications, decide, setStatus } from '../api/staff';
import type { Decision } from '../api/types';
import { staff, staffCredentials } from '../session';
import { formatDateTime } from '../format';
import { procedureLabels, statusLabels } from '../labels';
import { ErrorMessage, Loading, useAsync } from '../ui/status';
import { ConsoleLayout } from './ConsoleLayout';

/** 子育てワンストップ inbox: the municipality's applications, filtered by status and procedure. */
export function ChildcareInbox() {
  const [status, setStatusFilter] = useState('');
  const [procedure, setProcedure] = useState('');
  const municipalityCode = staff.value!.municipalityCode;
  const list = useAsync(() => applications(staffCredentials(), { municipalityCode, status, procedure }), [municipalityCode, status, procedure], 30000);
  return (
    <ConsoleLayout title="子育て申請" titleEn="Child-care inbox">
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="絞り込み / Filters">
        <div>
          <label for="f-status">状況<span class="en" lang="en">Status</span></label>
          <select id="f-status" value={status} onChange={(e) => setStatusFilter((e.target as HTMLSelectElement).value)}>
            <option value="">すべて / all</option>
            {Object.entries(statusLabels).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select>
        </div>
        <div>
          <label for="f-proc">手続<span class="en" lang="en">Procedure</span></label>
          <select id="f-proc" value={procedure} onChange={(e) => setProcedure((e.target as HTMLSelectElement).value)}>
            <option value="">すべて / all</option>
            {Object.entries(procedureLabels).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select>
        </div>
      </form>
      {list.loading && !list.data && <Loading />}
      <ErrorMessage error={list.error} />
      {list.data && (list.data.applications.length === 0 ? <p>該当する申請はありません。/ No applications.</p> : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="申請一覧 / Applications">
          <table>
            <thead><tr><th scope="col">受付番号</th><th scope="col">手続</th><th scope="col">状況</th><th scope="col">提出</th><th scope="col">更新</th></tr></thead>
            <tbody>{list.data.applications.map((a) => (
              <tr key={a.applicationId}>
                <th scope="row"><a href={`/console/childcare/${encodeURIComponent(a.applicationId)}`}>{a.receiptNumber}</a></th>
                <td>{procedureLabels[a.procedure] ?? a.procedure}</td>
                <td>{statusLabels[a.status] ?? a.status}</td>
                <td>{formatDateTime(a.submittedAt)}</td>
                <td>{formatDateTime(a.updatedAt)}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      ))}
    </ConsoleLayout>
  );
}

/** One application: form, applicant, documents, timeline; put it in review, decide with a notice to the parent's mailbox. */
export function ChildcareApplication({ applicationId }: { applicationId: string }) {
  const a = useAsync(() => application(staffCredentials(), applicationId), [applicationId]);
  const [error, setError] = useState<unknown>(null);
  const [decision, setDecision] = useState<Decision>('approved');
  const [subject, setSubject] = useState('申請の審査結果について');
  const [body, setBody] = useState('');
  async function run(fn: () => Promise<unknown>) {
    setError(null);
    try { await fn(); a.reload(); } catch (e) { setError(e); }
  }
  const d = a.data;
  return (
    <ConsoleLayout title={d ? `${procedureLabels[d.procedure] ?? d.procedure} ${d.receiptNumber}` : '申請'} titleEn="Application">
      <p><a href="/console/childcare">← 一覧に戻る / Back to the inbox</a></p>
      {a.loading && !d && <Loading />}
      <ErrorMessage error={a.error ?? error} />
      {d && (
        <>
          <section class="card" aria-labelledby="ap-h">
            <h2 id="ap-h">申請者<span class="en" lang="en">Applicant</span></h2>
            <dl class="pairs">
              <dt>氏名</dt><dd>{d.applicant?.name ?? '—'}</dd>
              <dt>住所</dt><dd>{d.applicant?.address ?? '—'}</dd>
              <dt>生年月日</dt><dd>{d.applicant?.dateOfBirth ?? '—'}</dd>
              <dt>状況</dt><dd>{statusLabels[d.status] ?? d.status}</dd>
              {d.missingDocuments && d.missingDocuments.length > 0 && <><dt>不足書類</dt><dd>{d.missingDocuments.join('、')}</dd></>}
            </dl>
            <h3>申請内容<span class="en" lang="en">Form</span></h3>
            <pre tabIndex={0}>{JSON.stringify(d.form, null, 2)}</pre>
            {d.employmentCertificates && d.employmentCertificates.length > 0 && (
              <>
                <h3>就労証明書<span class="en" lang="en">Employment certificates</span></h3>
                <ul>{d.employmentCertificates.map((c, i) => <li key={i}>{c.signerName} ・ 委任状番号 {c.delegationNumber} ・ 検証記録 {c.receiptId}</li>)}</ul>
              </>
            )}
            <h3>経過<span class="en" lang="en">Timeline</span></h3>
            <ol class="timeline">{d.history.map((h, i) => <li key={i}><time dateTime={h.at}>{formatDateTime(h.at)}</time> {statusLabels[h.status] ?? h.status}（{h.by}）</li>)}</ol>
          </section>
          <section class="card" aria-labelledby="act-h">
            <h2 id="act-h">処理<span class="en" lang="en">Actions</span></h2>
            <button type="button" onClick={() => run(() => setStatus(staffCredentials(), applicationId, 'in_review'))}>審査中にする<span class="en" lang="en">Mark in review</span></button>
            <form onSubmit={(e) => { e.preventDefault(); void run(() => decide(staffCredentials(), applicationId, decision, { subject, body })); }}>
              <fieldset>
                <legend>決定<span class="en" lang="en">Decision</span></legend>
                {(['approved', 'rejected', 'returned'] as const).map((v) => (
                  <div class="check" key={v}>
                    <input type="radio" id={`dec-${v}`} name="decision" checked={decision === v} onChange={() => setDecision(v)} />
                    <label for={`dec-${v}`}>{statusLabels[v]}<span class="en" lang="en">{v}</span></label>
                  </div>
                ))}
              </fieldset>
              <label for="n-subject">通知の件名<span class="en" lang="en">Notice subject</span></label>
              <input id="n-subject" value={subject} required maxLength={200} onInput={(e) => setSubject((e.target as HTMLInputElement).value)} />
              <label for="n-body">通知の本文（申請者の私書箱に届きます）<span class="en" lang="en">Notice body (to the parent's mailbox)</span></label>
              <textarea id="n-body" rows={5} value={body} required maxLength={4000} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />
              <button type="submit">決定を通知する<span class="en" lang="en">Decide and notify</span></button>
            </form>
          </section>
        </>
      )}
    </ConsoleLayout>
  );
}
