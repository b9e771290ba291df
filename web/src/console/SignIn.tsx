import { useState } from 'preact/hooks';
import { staff } from '../session';
import { navigate } from '../router';
import { ConsoleLayout } from './ConsoleLayout';

/**
 * Development sign-in: the municipality's service-client key (Clients:<id>:ApiKey), kept in this tab
 * only. In Azure, Static Web Apps signs staff in with Entra ID before the console loads (docs/web.md).
 */
export function SignIn() {
  const [apiKey, setApiKey] = useState('');
  const [municipalityCode, setMunicipalityCode] = useState('131016');
  return (
    <ConsoleLayout title="職員サインイン" titleEn="Staff sign-in">
      <form class="card" onSubmit={(e) => {
        e.preventDefault();
        staff.value = { apiKey: apiKey.trim(), municipalityCode };
        navigate('/console/disaster');
      }}>
        <label for="muni">市区町村コード<span class="en" lang="en">Municipality code</span></label>
        <input id="muni" value={municipalityCode} required pattern="[0-9]{6}" inputMode="numeric" onInput={(e) => setMunicipalityCode((e.target as HTMLInputElement).value)} />
        <label for="key">クライアントキー<span class="en" lang="en">Client key (x-api-key)</span></label>
        <input id="key" type="password" value={apiKey} required minLength={22} autoComplete="current-password" onInput={(e) => setApiKey((e.target as HTMLInputElement).value)} />
        <button type="submit">サインイン<span class="en" lang="en">Sign in</span></button>
      </form>
      <p class="note">開発環境の既定キーは <code>local.settings.sample.json</code> の <code>Clients__…__ApiKey</code> です。
        <span class="en" lang="en">In development, use a key from local.settings.sample.json.</span></p>
    </ConsoleLayout>
  );
}
