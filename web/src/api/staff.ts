// Municipality staff's calls (service client API key: x-api-key).
import { call, callBlob, newIdempotencyKey, query, type Credentials } from './http';
import type {
  AlertAccepted, AlertStatus, Application, ApplicationList, CertificateWatchList, Decision, EvacuationRow, PresenceRow, WatchAlert,
} from './types';

export const health = () => call<{ status: string }>('/api/health');

export const postAlert = (c: Credentials, capXml: string, idempotencyKey = newIdempotencyKey()) =>
  call<AlertAccepted>('/api/disaster/alerts', { ...c, raw: { contentType: 'application/cap+xml', text: capXml }, idempotencyKey });
export const alertStatus = (c: Credentials, alertId: string) => call<AlertStatus>(`/api/disaster/alerts/${encodeURIComponent(alertId)}`, c);

const evacuationPath = (alertId: string, districtCode?: string, format?: 'csv') =>
  `/api/disaster/alerts/${encodeURIComponent(alertId)}/evacuation-status${query({ districtCode, format })}`;
export const evacuationStatus = (c: Credentials, alertId: string, districtCode?: string) =>
  call<{ rows: EvacuationRow[] }>(evacuationPath(alertId, districtCode), c);
export const evacuationStatusCsv = (c: Credentials, alertId: string, districtCode?: string) =>
  callBlob(evacuationPath(alertId, districtCode, 'csv'), { ...c, accept: 'text/csv' });

export interface PresenceQuery { municipalityCode: string; date: string; slots: string; districtCode?: string }
const presencePath = (q: PresenceQuery, format?: 'csv') => `/api/disaster/presence${query({ ...q, format })}`;
export const presence = (c: Credentials, q: PresenceQuery) => call<{ rows: PresenceRow[] }>(presencePath(q), c);
export const presenceCsv = (c: Credentials, q: PresenceQuery) => callBlob(presencePath(q, 'csv'), { ...c, accept: 'text/csv' });

export const watchAlerts = (c: Credentials, municipalityCode: string) =>
  call<{ watchAlerts: WatchAlert[] }>(`/api/disaster/watch-alerts${query({ municipalityCode, limit: 100 })}`, c);

export interface ApplicationQuery { municipalityCode?: string; status?: string; procedure?: string; continuationToken?: string }
export const applications = (c: Credentials, q: ApplicationQuery) =>
  call<ApplicationList>(`/api/childcare/applications${query({ ...q, limit: 50 })}`, c);
export const application = (c: Credentials, applicationId: string) =>
  call<Application>(`/api/childcare/applications/${encodeURIComponent(applicationId)}`, c);
export const setStatus = (c: Credentials, applicationId: string, status: 'in_review', note?: string) =>
  call<{ status: string }>(`/api/childcare/applications/${encodeURIComponent(applicationId)}/status`, { ...c, body: { status, note } });
export const decide = (c: Credentials, applicationId: string, decision: Decision, notice: { subject: string; body: string }) =>
  call<{ status: string }>(`/api/childcare/applications/${encodeURIComponent(applicationId)}/decision`, { ...c, body: { decision, notice } });

export const certificateWatches = (c: Credentials, continuationToken?: string) =>
  call<CertificateWatchList>(`/api/certificates/watches${query({ limit: 100, continuationToken })}`, c);
