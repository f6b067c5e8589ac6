import { useEffect, useState } from 'react';

interface BeforeInstallPromptEvent extends Event {
  prompt: () => Promise<void>;
}

let deferred: BeforeInstallPromptEvent | null = null;
const listeners = new Set<() => void>();

// Chromium fires this once the manifest and service worker make the app installable; keep it
// so the install button can show the browser's own prompt later, from a user gesture.
window.addEventListener('beforeinstallprompt', (e) => {
  e.preventDefault();
  deferred = e as BeforeInstallPromptEvent;
  listeners.forEach((l) => l());
});

export function useInstallPrompt(): (() => void) | null {
  const [, force] = useState(0);
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  if (!deferred) return null;
  return () => {
    const e = deferred;
    deferred = null;
    void e?.prompt();
    listeners.forEach((l) => l());
  };
}
