// One place that talks HTTP to the API: base URL, JSON, problem+json errors.

/** The API's origin: same origin under the DevHost; the Function App's URL when built for Static Web Apps. */
export const apiBase: string = (import.meta.env.VITE_API_BASE as string | undefined)?.replace(/\/$/, '') ?? '';

/** An RFC 9457 problem from the API, with its stable `code`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly body: unknown,
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

export interface Credentials {
  bearer?: string;
  apiKey?: string;
}

export interface RequestOptions extends Credentials {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  /** Raw body (e.g. CAP XML) sent as is with this content type. */
  raw?: { contentType: string; text: string };
  idempotencyKey?: string;
  accept?: string;
}

function headers(o: RequestOptions): Headers {
  const h = new Headers();
  if (o.bearer) h.set('Authorization', `Bearer ${o.bearer}`);
  if (o.apiKey) h.set('x-api-key', o.apiKey);
  if (o.idempotencyKey) h.set('Idempotency-Key', o.idempotencyKey);
  if (o.accept) h.set('Accept', o.accept);
  if (o.raw) h.set('Content-Type', o.raw.contentType);
  else if (o.body !== undefined) h.set('Content-Type', 'application/json');
  return h;
}

async function send(path: string, o: RequestOptions): Promise<Response> {
  const response = await fetch(`${apiBase}${path}`, {
    method: o.method ?? (o.body !== undefined || o.raw ? 'POST' : 'GET'),
    headers: headers(o),
    body: o.raw ? o.raw.text : o.body !== undefined ? JSON.stringify(o.body) : undefined,
    credentials: 'omit',
    redirect: 'error',
  });
  if (!response.ok) {
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      /* not JSON */
    }
    const p = (body ?? {}) as { code?: string; detail?: string; title?: string };
    throw new ApiError(response.status, p.code ?? `http_${response.status}`, p.detail ?? p.title ?? response.statusText, body);
  }
  return response;
}

/** Calls the API and reads its JSON answer (or `undefined` for 204). */
export async function call<T>(path: string, o: RequestOptions = {}): Promise<T> {
  const response = await send(path, o);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Calls the API and returns the answer as a Blob (CSV downloads). */
export async function callBlob(path: string, o: RequestOptions = {}): Promise<Blob> {
  return (await send(path, o)).blob();
}

/** A query string from the defined, non-empty values. */
export function query(values: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null && `${v}` !== '') q.set(k, `${v}`);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A fresh Idempotency-Key for one user action (a retry of the same action reuses it). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

export function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(b64.length / 4) * 4, '='));
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
