// A tiny observable value and a hook to read it in components (no state library needed).
import { useEffect, useState } from 'preact/hooks';

export interface Signal<T> {
  value: T;
  subscribe(listener: (value: T) => void): () => void;
}

export function signal<T>(initial: T): Signal<T> {
  let current = initial;
  const listeners = new Set<(value: T) => void>();
  return {
    get value() {
      return current;
    },
    set value(next: T) {
      current = next;
      for (const l of listeners) l(next);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useSignal<T>(s: Signal<T>): T {
  const [value, setValue] = useState(s.value);
  useEffect(() => {
    // A child's effect may have changed the value before this effect subscribed (children's effects run first).
    setValue(s.value);
    return s.subscribe(setValue);
  }, [s]);
  return value;
}
