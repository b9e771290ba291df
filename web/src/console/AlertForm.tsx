import { useState } from 'preact/hooks';
import { postAlert } from '../api/staff';
import { newIdempotencyKey } from '../api/http';
import { staff, staffCredentials } from '../session';
import { navigate } from '../router';
import { ErrorMessage } from '../ui/status';
import { ConsoleLayout } from './ConsoleLayout';
import { buildCap, levelNames, personalMessage, type AlertDraft } from './cap';
import { rememberAlert } from './recentAlerts';

/** Sends an alert: the form writes the CAP XML; the preview shows what a resident's TV will say. */
export function AlertForm() {
  const [draft, setDraft] = useState<AlertDraft>({
    status: 'Exercise',
    municipalityCode: staff.value!.municipalityCode,
    districtCodes: [],
    level: 4,
    headline: '大雨のため避難指示を発令しました',
    description: '河川の水位が上昇しています。',
    instruction: '最寄りの避難所へ避難してください。',
    expiresMinutes: 180,
    sender: 'municipality@example.lg.jp',
    shelters: ['第一小学校'],
  });
  const [idempotencyKey] = useState<string>(() => newIdempotencyKey());
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof AlertDraft>(k: K, v: AlertDraft[K]) => setDraft({ ...draft, [k]: v });
  const cap = buildCap(draft, new Date(), idempotencyKey);

  async function send(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const accepted = await postAlert(staffCredentials(), cap, idempotencyKey);
      rememberAlert(accepted.alertId);
      navigate(`/console/disaster?alert=${encodeURIComponent(accepted.alertId)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <ConsoleLayout title="警報の発信" titleEn="Send an alert">
      <form class="card" onSubmit={send}>
        <fieldset>
          <legend>種別<span class="en" lang="en">Status</span></legend>
          {(['Exercise', 'Actual', 'Test'] as const).map((s) => (
            <div class="check" key={s}>
              <input type="radio" id={`st-${s}`} name="status" checked={draft.status === s} onChange={() => set('status', s)} />
              <label for={`st-${s}`}>{{ Exercise: '訓練', Actual: '実発令', Test: 'テスト（配信しない）' }[s]}<span class="en" lang="en">{s}</span></label>
            </div>
          ))}
        </fieldset>
        <label for="al-level">警戒レベル<span class="en" lang="en">Evacuation level</span></label>
        <select id="al-level" value={draft.level} onChange={(e) => set('level', Number((e.target as HTMLSelectElement).value) as 3 | 4 | 5)}>
          {[3, 4, 5].map((l) => <option key={l} value={l}>{l} {levelNames[l]}</option>)}
        </select>
        <label for="al-districts">対象地区コード（カンマ区切り、空欄で市区町村全域）<span class="en" lang="en">Districts (comma-separated; empty = whole municipality)</span></label>
        <input id="al-districts" value={draft.districtCodes.join(',')} onInput={(e) => set('districtCodes', (e.target as HTMLInputElement).value.split(',').map((s) => s.trim()).filter(Boolean))} />
        <label for="al-shelters">避難先（カンマ区切り）<span class="en" lang="en">Shelters (comma-separated)</span></label>
        <input id="al-shelters" value={draft.shelters.join(',')} onInput={(e) => set('shelters', (e.target as HTMLInputElement).value.split(',').map((s) => s.trim()).filter(Boolean).slice(0, 20))} />
        <label for="al-headline">見出し<span class="en" lang="en">Headline</span></label>
        <input id="al-headline" value={draft.headline} required maxLength={100} onInput={(e) => set('headline', (e.target as HTMLInputElement).value)} />
        <label for="al-description">詳細<span class="en" lang="en">Description</span></label>
        <textarea id="al-description" rows={3} maxLength={1000} value={draft.description} onInput={(e) => set('description', (e.target as HTMLTextAreaElement).value)} />
        <label for="al-instruction">行動の指示<span class="en" lang="en">Instruction</span></label>
        <input id="al-instruction" value={draft.instruction} maxLength={200} onInput={(e) => set('instruction', (e.target as HTMLInputElement).value)} />
        <label for="al-expires">有効時間（分）<span class="en" lang="en">Expires in (minutes)</span></label>
        <input id="al-expires" type="number" min={10} max={1440} value={draft.expiresMinutes} onInput={(e) => set('expiresMinutes', Number((e.target as HTMLInputElement).value))} />

        <h2>テレビに表示されるメッセージ<span class="en" lang="en">Message preview</span></h2>
        {draft.status === 'Test'
          ? <p>テストは保存のみで、テレビには表示されません。/ Test alerts are stored, not shown on TVs.</p>
          : <p class="preview" data-testid="message-preview">{personalMessage('山田　太郎', draft)}</p>}
        <details>
          <summary>CAP XML</summary>
          <pre data-testid="cap-xml" tabIndex={0}>{cap}</pre>
        </details>
        <button type="submit" disabled={busy} class={draft.status === 'Actual' ? 'danger' : undefined}>
          {draft.status === 'Actual' ? '発令する' : '送信する'}<span class="en" lang="en">Send</span>
        </button>
      </form>
      <ErrorMessage error={error} />
    </ConsoleLayout>
  );
}
