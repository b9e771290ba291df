import { useState } from 'preact/hooks';
import { claimPairing, tvRegistrations, unlinkTv } from '../api/citizen';
import { citizenCredentials } from '../session';
import { ErrorMessage, useAsync } from '../ui/status';
import { PortalLayout } from './PortalLayout';

/** Pair the smart TV: enter the code the TV shows, say who watches it and whether to be watched over (見守り). */
export function TvPairing() {
  const list = useAsync(() => tvRegistrations(citizenCredentials()), []);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    setError(null);
    try {
      const r = await claimPairing(citizenCredentials(), `${f.get('code')}`.trim(), {
        resident: {
          displayName: `${f.get('displayName')}`,
          furigana: `${f.get('furigana')}`,
          municipalityCode: `${f.get('municipalityCode')}`,
          districtCode: `${f.get('districtCode')}`,
          needsAssistance: f.get('needsAssistance') === 'on',
        },
        consent: { watching: f.get('watching') === 'on' },
      });
      setDone(r.tvId);
      list.reload();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <PortalLayout title="テレビ連携" titleEn="Pair your TV">
      <form class="card" onSubmit={submit}>
        <label for="tv-code">テレビに表示されたコード<span class="en" lang="en">Code shown on the TV</span></label>
        <input id="tv-code" name="code" required maxLength={32} autoComplete="one-time-code" inputMode="text" />
        <label for="tv-name">表示名<span class="en" lang="en">Display name</span></label>
        <input id="tv-name" name="displayName" required maxLength={64} />
        <label for="tv-kana">フリガナ<span class="en" lang="en">Furigana</span></label>
        <input id="tv-kana" name="furigana" required maxLength={64} />
        <label for="tv-muni">市区町村コード<span class="en" lang="en">Municipality code</span></label>
        <input id="tv-muni" name="municipalityCode" required pattern="[0-9]{6}" inputMode="numeric" />
        <label for="tv-district">地区コード<span class="en" lang="en">District code</span></label>
        <input id="tv-district" name="districtCode" required maxLength={32} />
        <div class="check"><input id="tv-assist" type="checkbox" name="needsAssistance" /><label for="tv-assist">避難に支援が必要<span class="en" lang="en">I need help to evacuate</span></label></div>
        <div class="check"><input id="tv-watch" type="checkbox" name="watching" /><label for="tv-watch">見守りに同意する<span class="en" lang="en">Watch over me (consent)</span></label></div>
        <button type="submit">連携する<span class="en" lang="en">Pair</span></button>
      </form>
      {done && <p role="status">テレビ {done} と連携しました。/ Paired.</p>}
      <ErrorMessage error={error ?? list.error} />
      <h2>連携中のテレビ<span class="en" lang="en">Paired TVs</span></h2>
      {list.data && (list.data.registrations.length === 0 ? <p>ありません。/ None.</p> : (
        <ul>{list.data.registrations.map((r) => (
          <li key={`${r.platformId}:${r.tvId}`}>{r.tvId} ({r.platformId}){' '}<button type="button" class="link" onClick={async () => {
            try { await unlinkTv(citizenCredentials(), r.platformId, r.tvId); list.reload(); } catch (e) { setError(e); }
          }}>解除 / Unlink</button></li>
        ))}</ul>
      ))}
    </PortalLayout>
  );
}
