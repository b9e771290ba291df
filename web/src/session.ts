// Who is signed in, per tab (sessionStorage): a citizen's access token, or a staff member's client key.
// Nothing is kept after the tab closes; tokens expire as the API says (expiresIn).
import { signal } from './signal';

export interface CitizenSession { myKeyId: string; accessToken: string; expiresAt: number }
export interface StaffSession { apiKey: string; municipalityCode: string }

function load<T>(key: string): T | null {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function store(key: string, value: unknown) {
  if (value === null) sessionStorage.removeItem(key);
  else sessionStorage.setItem(key, JSON.stringify(value));
}

const storedCitizen = load<CitizenSession>('smk.citizen');
export const citizen = signal<CitizenSession | null>(storedCitizen && storedCitizen.expiresAt > Date.now() ? storedCitizen : null);
citizen.subscribe((v) => store('smk.citizen', v));

export const staff = signal<StaffSession | null>(load<StaffSession>('smk.staff'));
staff.subscribe((v) => store('smk.staff', v));

export const citizenCredentials = () => ({ bearer: citizen.value?.accessToken });
export const staffCredentials = () => ({ apiKey: staff.value?.apiKey });
