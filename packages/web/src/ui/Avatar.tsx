import type { User } from '@parley/protocol';

function hue(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) % 360;
  return h;
}

/**
 * Initials on a colour derived from the user id, dark enough that the white initials read at
 * WCAG AA on every hue (lightness 45% left greens and yellows at 2.3:1; 30% gives at least 4.7:1). Remote avatar images are not loaded: an
 * avatar_url is any URL a user set, and fetching it would leak every reader's address.
 */
export function Avatar({ user, id, size = 32 }: { user: User | undefined; id: string; size?: number }) {
  const name = user?.display_name || user?.username || '?';
  const initials = name
    .split(/\s+/)
    .map((w) => [...w][0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  return (
    <span className="avatar" aria-hidden="true" style={{ width: size, height: size, fontSize: size * 0.4, background: `hsl(${hue(id)} 55% 30%)` }}>
      {initials}
    </span>
  );
}
