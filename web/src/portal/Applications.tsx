import { useState } from 'preact/hooks';
import { application, myApplications } from '../api/citizen';
import type { ApplicationSummary } from '../api/types';
import { citizenCredentials } from '../session';
import { formatDateTime } from '../format';
import { ErrorMessage, Loading, useAsync } from '../ui/status';
import { PortalLayout } from './PortalLayout';
import { procedureLabels, statusLabels } from '../labels';

/** My applications (子育てワンストップ), newest first; each opens to its timeline. */
export function Applications() {
  const [pages, setPages] = useState<string[]>(['']);
  return (
    <PortalLayout title="申請" titleEn="My applications">
      {pages.map((token, i) => (
        <ApplicationPage key={token} continuationToken={token || undefined}
          onMore={i === pages.length - 1 ? (next) => setPages([...pages, next]) : undefined} />
      ))}
    </PortalLayout>
  );
}

function ApplicationPage({ continuationToken, onMore }: { continuationToken?: string; onMore?: (token: string) => void }) {
  const list = useAsync(() => myApplications(citizenCredentials(), continuationToken), [continuationToken]);
  const d = list.data;
  return (
    <>
      {list.loading && !d && <Loading />}
      <ErrorMessage error={list.error} />
      {d && !continuationToken && d.applications.length === 0 && <p>申請はまだありません。/ No applications yet.</p>}
      {d && d.applications.length > 0 && (
        <ul class="applications" aria-label="申請一覧 / Applications">
          {d.applications.map((a) => <ApplicationItem key={a.applicationId} summary={a} />)}
        </ul>
      )}
      {d?.continuationToken && onMore && (
        <button type="button" onClick={() => onMore(d.continuationToken!)}>さらに表示<span class="en" lang="en">More</span></button>
      )}
    </>
  );
}

function ApplicationItem({ summary: a }: { summary: ApplicationSummary }) {
  const [open, setOpen] = useState(false);
  return (
    <li class="card" data-testid={`application-${a.applicationId}`}>
      <h2>{procedureLabels[a.procedure] ?? a.procedure}<span class="en" lang="en">受付番号 {a.receiptNumber}</span></h2>
      <p>状況 / Status: <strong data-testid="application-status">{statusLabels[a.status] ?? a.status}</strong></p>
      <p class="meta">提出 {formatDateTime(a.submittedAt)} ・ 更新 {formatDateTime(a.updatedAt)}</p>
      <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>経過を見る<span class="en" lang="en">Timeline</span></summary>
        {open && <Timeline applicationId={a.applicationId} />}
      </details>
    </li>
  );
}

function Timeline({ applicationId }: { applicationId: string }) {
  const a = useAsync(() => application(citizenCredentials(), applicationId), [applicationId]);
  return (
    <>
      {a.loading && !a.data && <Loading />}
      <ErrorMessage error={a.error} />
      {a.data && (
        <>
          {a.data.missingDocuments && a.data.missingDocuments.length > 0 && <p>不足書類: {a.data.missingDocuments.join('、')}</p>}
          <ol class="timeline" data-testid="timeline">
            {a.data.history.map((h, i) => <li key={i}><time dateTime={h.at}>{formatDateTime(h.at)}</time> {statusLabels[h.status] ?? h.status}</li>)}
          </ol>
        </>
      )}
    </>
  );
}
