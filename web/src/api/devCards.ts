// The DevHost's Development-only card reader (/dev/cards): the mykey virtual cards sign for the page.
// Absent in Azure: `available()` answers false there, and the portal says a card reader app is needed.
import { bytesToBase64, call } from './http';

export interface CardSignature { certificate: string; signature: string }

export async function available(): Promise<boolean> {
  try {
    const r = await fetch('/dev/cards', { credentials: 'omit' });
    return r.ok && (r.headers.get('content-type') ?? '').includes('json');
  } catch {
    return false;
  }
}

export const list = () => call<{ cards: { cardId: string }[] }>('/dev/cards');
export const issue = (holder: { name: string; address: string; birth: string; sex: string }) =>
  call<{ cardId: string }>('/dev/cards', { body: holder });
export const sign = (cardId: string, key: 'authentication' | 'signing', data: Uint8Array) =>
  call<CardSignature>(`/dev/cards/${encodeURIComponent(cardId)}/signatures`, { body: { key, data: bytesToBase64(data) } });
