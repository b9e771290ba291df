// The citizen's calls (bearer token from a JPKI login).
import { call, query, type Credentials } from './http';
import type {
  AccessLogEntry, Application, ApplicationList, Challenge, ClaimRequest, Me, Message, MessageList, PointsStatement, Sender, Session, TvRegistration,
} from './types';

export const createChallenge = () => call<Challenge>('/api/auth/challenges', { body: { purpose: 'login' } });

export const createSession = (challengeId: string, certificate: string, signature: string) =>
  call<Session>('/api/auth/sessions', { body: { challengeId, certificate, signature } });

export const me = (c: Credentials) => call<Me>('/api/me', c);

export const points = (c: Credentials, myKeyId: string, continuationToken?: string) =>
  call<PointsStatement>(`/api/points/accounts/${encodeURIComponent(myKeyId)}${query({ continuationToken })}`, c);

export const messages = (c: Credentials, continuationToken?: string) =>
  call<MessageList>(`/api/mailbox/messages${query({ limit: 50, continuationToken })}`, c);
export const message = (c: Credentials, messageId: string) => call<Message>(`/api/mailbox/messages/${encodeURIComponent(messageId)}`, c);
export const deleteMessage = (c: Credentials, messageId: string) =>
  call<void>(`/api/mailbox/messages/${encodeURIComponent(messageId)}`, { ...c, method: 'DELETE' });
export const senders = (c: Credentials) => call<{ senders: Sender[] }>('/api/mailbox/senders', c);
export const allowSender = (c: Credentials, senderId: string) =>
  call<unknown>(`/api/mailbox/senders/${encodeURIComponent(senderId)}`, { ...c, method: 'PUT', body: {} });
export const blockSender = (c: Credentials, senderId: string) =>
  call<void>(`/api/mailbox/senders/${encodeURIComponent(senderId)}`, { ...c, method: 'DELETE' });

/** The caller's own applications, newest first (a citizen's bearer: only theirs). */
export const myApplications = (c: Credentials, continuationToken?: string) =>
  call<ApplicationList>(`/api/childcare/applications${query({ limit: 20, continuationToken })}`, c);
export const application = (c: Credentials, applicationId: string) =>
  call<Application>(`/api/childcare/applications/${encodeURIComponent(applicationId)}`, c);

export const claimPairing = (c: Credentials, pairingCode: string, body: ClaimRequest) =>
  call<{ tvId: string; residentId: string }>(`/api/tv/pairings/${encodeURIComponent(pairingCode)}/claim`, { ...c, body });
export const tvRegistrations = (c: Credentials) => call<{ registrations: TvRegistration[] }>('/api/tv/registrations', c);
export const unlinkTv = (c: Credentials, platformId: string, tvId: string) =>
  call<void>(`/api/tv/registrations/${encodeURIComponent(platformId)}/${encodeURIComponent(tvId)}`, { ...c, method: 'DELETE' });

export const medicalAccessLog = (c: Credentials) => call<{ entries: AccessLogEntry[] }>('/api/medical/access-log', c);
