import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { AuthScreen } from '../auth/AuthScreen';
import { ChatContext } from '../chat/context';
import { ChatStore, type SessionEndReason } from '../chat/store';
import { translate } from '../i18n/i18n';
import { deleteUserDb } from '../storage/db';
import { clearDrafts } from '../storage/drafts';
import { clearSession, loadSession, saveSession, type StoredSession } from '../storage/session';
import { Shell } from './Shell';

// Only an account a workspace forces into two-factor sign-in ever sees it (with its QR code renderer).
const EnrolTwoFactorScreen = lazy(() => import('../auth/EnrolTwoFactorScreen').then((m) => ({ default: m.EnrolTwoFactorScreen })));

export function App() {
  const [session, setSession] = useState<StoredSession | null>(loadSession);
  const [store, setStore] = useState<ChatStore | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const onSessionEnded = useCallback((userId: string, reason: SessionEndReason) => {
    clearSession();
    clearDrafts(userId);
    // The cache and any unsent messages belong to the session that just ended.
    void deleteUserDb(userId);
    setNotice(reason === 'revoked' ? translate('auth.sessionEnded') : null);
    setSession(null);
  }, []);

  // Signing out (or in as someone else) in another tab applies here too.
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key !== 'parley.session') return;
      const next = loadSession();
      setSession((cur) => (cur?.user.id === next?.user.id ? cur : next));
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  // A session held until two-factor sign-in is on starts no chat (the server would refuse it).
  const userId = session && !session.must_enrol_2fa ? session.user.id : null;
  useEffect(() => {
    if (!userId) return;
    const s = loadSession();
    if (!s) return;
    const created = new ChatStore(s, (reason) => onSessionEnded(s.user.id, reason));
    setStore(created);
    return () => {
      void created.stop();
      setStore(null);
    };
  }, [userId, onSessionEnded]);

  if (!session) {
    return (
      <AuthScreen
        notice={notice}
        onSignedIn={(s) => {
          saveSession(s);
          setNotice(null);
          setSession(s);
        }}
      />
    );
  }
  if (session.must_enrol_2fa) {
    return (
      <Suspense fallback={<div className="splash" aria-busy="true" />}>
        <EnrolTwoFactorScreen
          session={session}
          onDone={() => {
            const next = { ...(loadSession() ?? session), must_enrol_2fa: false };
            saveSession(next);
            setSession(next);
          }}
          onSignOut={() => {
            clearSession();
            setSession(null);
          }}
        />
      </Suspense>
    );
  }
  if (!store) return <div className="splash" aria-busy="true" />;
  return (
    <ChatContext.Provider value={store}>
      <Shell />
    </ChatContext.Provider>
  );
}
