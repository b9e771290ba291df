// Shapes of the API as /work/shared/design/API.md (the contract) and /api/openapi.json describe them.

/** A login challenge; the portal asks only for purpose 'login' (readers' purposes need their x-api-key, docs/auth.md). */
export interface Challenge { challengeId: string; challenge: string; expiresAt: string; purpose: 'login' }
export interface Session {
  myKeyId: string;
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  certificate: { kind: string; serialNumber: string; notAfter: string };
}
export interface Me { myKeyId: string; certificate: { serialNumber: string; notAfter: string } }

// Points (自治体ポイント)
export interface ExpiringPoints { amount: number; expiresAt: string }
export interface MunicipalBalance { municipalityCode: string; available: number; expiring: ExpiringPoints[] }
export interface PointsBalance { holding: number; municipalities: MunicipalBalance[]; holdingLots?: { amount: number; assignBy: string }[] }
export interface PointsEntry {
  entryId: string;
  kind: string;
  amount: number;
  at: string;
  holdingDelta: number;
  municipalityCode?: string | null;
  municipalityDelta: number;
  merchantId?: string | null;
  source?: { kind: string; id: string } | null;
}
export interface PointsStatement {
  myKeyId: string;
  defaultMunicipalityCode?: string | null;
  balance: PointsBalance;
  entries: PointsEntry[];
  continuationToken?: string | null;
}

// Mailbox (電子私書箱)
export interface MessageSummary { messageId: string; senderId: string; subject: string; deliveredAt: string; status: string }
export interface MessageList { messages: MessageSummary[]; continuationToken?: string | null }
export interface Attachment { name: string; contentType: string; content: string }
export interface Message { messageId: string; senderId: string; subject: string; body: string; attachments: Attachment[]; deliveredAt: string; viewedAt?: string | null }
export interface Sender { senderId: string; status: 'allowed' | 'blocked' | string; updatedAt?: string }

// Child-care (子育てワンストップ)
export interface ApplicationSummary { applicationId: string; receiptNumber: string; procedure: string; status: string; submittedAt: string; updatedAt: string; municipalityCode?: string }
export interface ApplicationList { applications: ApplicationSummary[]; continuationToken?: string | null }
export interface HistoryEntry { status: string; at: string; by: string }
export interface Application extends ApplicationSummary {
  form: Record<string, unknown>;
  applicant?: { name?: string; address?: string; dateOfBirth?: string; sex?: string };
  employmentCertificates?: { signerName?: string; delegationNumber?: string; receiptId?: string }[];
  missingDocuments?: string[];
  history: HistoryEntry[];
}
export type Decision = 'approved' | 'rejected' | 'returned';

// Smart TV and disaster (防災・見守り)
export interface TvRegistration { tvId: string; platformId: string; residentId: string; municipalityCode: string; districtCode: string; linkedAt: string }
export interface ClaimRequest {
  resident: { displayName: string; furigana: string; municipalityCode: string; districtCode: string; needsAssistance: boolean };
  consent: { watching: boolean };
}
export interface AlertAccepted { alertId: string; status: string; targets: number }
export type AlertState = 'delivering' | 'delivered' | 'stored' | 'expired' | 'cancelled' | 'updated';
export interface AlertCounts { targets: number; pending: number; retrying: number; delivered: number; failed: number; displayed: number; expired: number }
export interface AlertStatus {
  alertId: string;
  status: AlertState;
  capStatus: string;
  msgType: string;
  exercise: boolean;
  level?: number | null;
  sent: string;
  expires?: string | null;
  shelters: string[];
  counts: AlertCounts;
}
export interface EvacuationRow {
  residentId: string;
  displayName: string;
  furigana: string;
  districtCode: string;
  confirmation: 'evacuated' | 'unconfirmed';
  shelterId?: string | null;
  checkedInAt?: string | null;
  tvAtAlert: 'on' | 'off' | 'unknown';
}
export interface PresenceRow { residentId: string; displayName: string; furigana?: string; districtCode?: string; slots: Record<string, boolean> }
export interface WatchAlert {
  watchAlertId: string;
  residentId: string;
  displayName: string;
  districtCode: string;
  tvId: string;
  platformId: string;
  kind: 'on_too_long' | 'idle_too_long' | string;
  since: string;
  raisedAt: string;
  notifiedAt?: string | null;
}

// Medical (医療)
export interface AccessLogEntry { at: string; facilityCode: string; kind: 'eligibility' | 'consent-check' | 'checkin'; category?: string | null; allowed: boolean }

// Certificate watches (失効監視)
export interface CertificateWatch {
  watchId: string;
  serialNumber: string;
  issuer: string;
  kind?: string | null;
  notAfter: string;
  createdAt: string;
  state: 'active' | 'revoked' | 'expired';
  status: 'good' | 'revoked' | 'expired' | 'unknown';
  checkedAt: string;
  reason?: string | null;
  revokedAt?: string | null;
  notifiedAt?: string | null;
}
export interface CertificateWatchList { watches: CertificateWatch[]; continuationToken?: string | null }
