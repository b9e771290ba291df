// Builds the CAP 1.2 <alert> that POST /api/disaster/alerts takes (OASIS namespace, areas by geocode).

export interface AlertDraft {
  status: 'Actual' | 'Exercise' | 'Test';
  municipalityCode: string;
  districtCodes: string[];
  level: 3 | 4 | 5;
  headline: string;
  description: string;
  instruction: string;
  expiresMinutes: number;
  sender: string;
  shelters: string[];
}

export const levelNames: Record<number, string> = { 3: '高齢者等避難', 4: '避難指示', 5: '緊急安全確保' };

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** RFC 3339 without milliseconds, with the JST offset, as CAP wants it. */
function capTime(d: Date): string {
  const jst = new Date(d.getTime() + 9 * 3600_000);
  return `${jst.toISOString().slice(0, 19)}+09:00`;
}

export function buildCap(d: AlertDraft, now: Date = new Date(), identifier: string = crypto.randomUUID()): string {
  const expires = new Date(now.getTime() + d.expiresMinutes * 60_000);
  const geocodes = [
    `      <geocode><valueName>JISX0402</valueName><value>${escape(d.municipalityCode)}</value></geocode>`,
    ...d.districtCodes.map((c) => `      <geocode><valueName>districtCode</valueName><value>${escape(c)}</value></geocode>`),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${escape(identifier)}</identifier>
  <sender>${escape(d.sender)}</sender>
  <sent>${capTime(now)}</sent>
  <status>${d.status}</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>ja-JP</language>
    <category>Safety</category>
    <event>${escape(levelNames[d.level])}</event>
    <urgency>Immediate</urgency>
    <severity>${d.level >= 4 ? 'Extreme' : 'Severe'}</severity>
    <certainty>Observed</certainty>
    <expires>${capTime(expires)}</expires>
    <headline>${escape(d.headline)}</headline>
    <description>${escape(d.description)}</description>
    <instruction>${escape(d.instruction)}</instruction>
    <parameter><valueName>EvacuationLevel</valueName><value>${d.level}</value></parameter>
${d.shelters.map((s) => `    <parameter><valueName>Shelter</valueName><value>${escape(s)}</value></parameter>\n`).join('')}    <area>
      <areaDesc>${escape([d.municipalityCode, ...d.districtCodes].join(' '))}</areaDesc>
${geocodes.join('\n')}
    </area>
  </info>
</alert>
`;
}

/**
 * The personal message each TV shows, worded as the API's fan-out words it:
 * "【訓練】<displayName>さん、すぐ避難してください。【警戒レベルN】<level name>。避難先: …。"
 * (Test alerts are stored, not delivered: no TV shows them.)
 */
export function personalMessage(displayName: string, d: AlertDraft): string {
  const drill = d.status === 'Exercise' ? '【訓練】' : '';
  const shelters = d.shelters.length > 0 ? `避難先: ${d.shelters.join('、')}。` : '';
  return `${drill}${displayName}さん、すぐ避難してください。【警戒レベル${d.level}】${levelNames[d.level]}。${shelters}`;
}
