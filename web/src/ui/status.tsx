import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/http';

/** A refusal of the API, read out at once: the Japanese explanation, then the stable code. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  return (
    <div class="error" role="alert">
      <p>{e ? explain(e) : 'エラーが発生しました。/ Something went wrong.'}</p>
      {e && <p class="code">{e.status} <code>{e.code}</code>{e.detail ? ` — ${e.detail}` : ''}</p>}
    </div>
  );
}

function explain(e: ApiError): string {
  switch (e.status) {
    case 401: return 'サインインが必要か、期限が切れました。もう一度サインインしてください。';
    case 403: return 'この操作の権限がありません。';
    case 404: return e.code === 'not_found' ? 'この機能はまだこのサーバーにありません。' : '見つかりませんでした。';
    case 409: return '現在の状態ではこの操作はできません。';
    case 422: return '入力内容を確認してください。';
    default: return e.status >= 500 ? 'サーバーで問題が発生しました。時間をおいて再度お試しください。' : '入力内容を確認してください。';
  }
}

export function Loading({ children }: { children?: ComponentChildren }) {
  return <p class="loading" role="status">{children ?? '読み込み中… / Loading…'}</p>;
}

export interface Async<T> { data: T | undefined; error: unknown; loading: boolean; reload: () => void }

/** Runs `load` now and whenever `deps` change (and every `refreshMs` when given); keeps the last good data. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[], refreshMs?: number): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, error: null, loading: false }),
      (error) => mine === generation.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => {
    run();
    if (!refreshMs) return;
    const timer = setInterval(run, refreshMs);
    return () => clearInterval(timer);
  }, [run, refreshMs]);
  return { ...state, reload: run };
}
