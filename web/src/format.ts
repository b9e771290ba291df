// Dates and numbers as a Japanese reader expects them (JST).
const dateTime = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'medium' });
const number = new Intl.NumberFormat('ja-JP');

export const formatDateTime = (iso?: string | null) => (iso ? dateTime.format(new Date(iso)) : '—');
export const formatDate = (iso?: string | null) => (iso ? date.format(new Date(iso)) : '—');
export const formatNumber = (n: number) => number.format(n);

/** Today in JST as YYYY-MM-DD. */
export function todayJst(): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo' }).format(new Date());
}

export function downloadBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
