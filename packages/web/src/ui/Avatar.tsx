import { useContext } from 'react';
import { ownAvatarUser, type User } from '@parley/protocol';
import { ChatContext } from '../chat/context';
import { useFileUrl } from '../files/useFileUrl';
import type { UrlCache } from '../files/url-cache';
import '../profile/profile.css';

function hue(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) % 360;
  return h;
}

/**
 * A picture the user uploaded, or initials on a colour derived from the user id, dark enough that
 * the white initials read at WCAG AA on every hue (lightness 45% left greens and yellows at 2.3:1;
 * 30% gives at least 4.7:1). Only Parley's own avatar paths are loaded (with the token, through
 * an object URL): any other avatar_url is a URL a user set, and fetching it would leak every
 * reader's address. Initials show until the picture arrives, and if it cannot be loaded.
 */
export function Avatar({ user, id, size = 32 }: { user: User | undefined; id: string; size?: number }) {
  const store = useContext(ChatContext);
  const path = ownAvatarUser(user?.avatar_url) === id ? user!.avatar_url : null;
  const name = user?.display_name || user?.username || '?';
  const initials = name
    .split(/\s+/)
    .map((w) => [...w][0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  const style = { width: size, height: size, fontSize: size * 0.4, background: `hsl(${hue(id)} 55% 30%)` };
  return (
    <span className="avatar" aria-hidden="true" style={style}>
      {store && path ? <AvatarImage cache={store.files.avatars} path={path} fallback={initials} /> : initials}
    </span>
  );
}

function AvatarImage({ cache, path, fallback }: { cache: UrlCache; path: string; fallback: string }) {
  const { url } = useFileUrl(cache, path);
  if (!url) return <>{fallback}</>;
  return <img className="avatar-image" src={url} alt="" draggable={false} data-testid="avatar-image" />;
}
