import { useState } from 'preact/hooks';
import { allowSender, blockSender, deleteMessage, message, messages, senders } from '../api/citizen';
import { base64ToBytes } from '../api/http';
import type { Attachment } from '../api/types';
import { citizenCredentials } from '../session';
import { downloadBlob, formatDateTime } from '../format';
import { navigate } from '../router';
import { ErrorMessage, Loading, useAsync } from '../ui/status';
import { PortalLayout } from './PortalLayout';

const statusLabels: Record<string, string> = { delivered: '未読', viewed: '既読', deleted: '削除済み' };

/** 電子私書箱: messages newest first; opening one marks it viewed (the sender then sees `viewed`). */
export function Mailbox() {
  const list = useAsync(() => messages(citizenCredentials()), []);
  return (
    <PortalLayout title="私書箱" titleEn="Mailbox">
      {list.loading && !list.data && <Loading />}
      <ErrorMessage error={list.error} />
      {list.data && (list.data.messages.length === 0 ? <p>メッセージはありません。/ No messages.</p> : (
        <ul class="messages">
          {list.data.messages.map((m) => (
            <li key={m.messageId} class={m.status === 'delivered' ? 'unread' : undefined}>
              <a href={`/portal/mailbox/${encodeURIComponent(m.messageId)}`}>{m.subject}</a>
              <span>{m.senderId} ・ {formatDateTime(m.deliveredAt)} ・ {statusLabels[m.status] ?? m.status}</span>
            </li>
          ))}
        </ul>
      ))}
      <Senders />
    </PortalLayout>
  );
}

export function MailboxMessage({ messageId }: { messageId: string }) {
  const m = useAsync(() => message(citizenCredentials(), messageId), [messageId]);
  const [error, setError] = useState<unknown>(null);
  return (
    <PortalLayout title={m.data?.subject ?? 'メッセージ'} titleEn="Message">
      <p><a href="/portal/mailbox">← 私書箱に戻る / Back to the mailbox</a></p>
      {m.loading && !m.data && <Loading />}
      <ErrorMessage error={m.error ?? error} />
      {m.data && (
        <article class="card">
          <p class="meta">差出人 / From: {m.data.senderId} ・ {formatDateTime(m.data.deliveredAt)}</p>
          <div class="body">{m.data.body.split('\n').map((line, i) => <p key={i}>{line}</p>)}</div>
          {m.data.attachments.length > 0 && (
            <>
              <h2>添付ファイル<span class="en" lang="en">Attachments</span></h2>
              <ul>{m.data.attachments.map((a) => <li key={a.name}><button type="button" class="link" onClick={() => save(a)}>{a.name}</button> ({a.contentType})</li>)}</ul>
            </>
          )}
          <button type="button" class="danger" onClick={async () => {
            try { await deleteMessage(citizenCredentials(), messageId); navigate('/portal/mailbox'); } catch (e) { setError(e); }
          }}>削除<span class="en" lang="en">Delete</span></button>
        </article>
      )}
    </PortalLayout>
  );
}

function save(a: Attachment) {
  downloadBlob(new Blob([base64ToBytes(a.content) as BlobPart], { type: a.contentType }), a.name);
}

/** The holder chooses who may send (MyPost's rule): allow or block a sender by its id. */
function Senders() {
  const list = useAsync(() => senders(citizenCredentials()), []);
  const [senderId, setSenderId] = useState('');
  const [error, setError] = useState<unknown>(null);
  async function act(fn: typeof allowSender, id: string) {
    setError(null);
    try { await fn(citizenCredentials(), id); list.reload(); } catch (e) { setError(e); }
  }
  return (
    <section aria-labelledby="senders-h">
      <h2 id="senders-h">差出人の許可<span class="en" lang="en">Allowed senders</span></h2>
      <ErrorMessage error={list.error ?? error} />
      {list.data && (
        <ul>{list.data.senders.map((s) => (
          <li key={s.senderId}>{s.senderId}（{s.status === 'allowed' ? '許可' : '拒否'}）{' '}
            {s.status === 'allowed'
              ? <button type="button" class="link" onClick={() => act(blockSender, s.senderId)}>拒否する / Block</button>
              : <button type="button" class="link" onClick={() => act(allowSender, s.senderId)}>許可する / Allow</button>}</li>
        ))}</ul>
      )}
      <form class="inline" onSubmit={(e) => { e.preventDefault(); if (senderId) void act(allowSender, senderId); }}>
        <label for="sender">差出人ID<span class="en" lang="en">Sender id</span></label>
        <input id="sender" value={senderId} maxLength={64} pattern="[A-Za-z0-9._\-]+" onInput={(e) => setSenderId((e.target as HTMLInputElement).value)} />
        <button type="submit">許可<span class="en" lang="en">Allow</span></button>
      </form>
    </section>
  );
}
