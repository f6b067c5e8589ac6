import { useRef, useState, type ReactNode } from 'react';
import { useT } from '../i18n/i18n';
import { ProfileCard } from './ProfileCard';

interface Props {
  userId: string;
  /** The person's name, for the label of a trigger that shows no text (an avatar). */
  name?: string;
  className?: string;
  /** Out of the tab order: a second trigger beside one that is in it (a row's avatar beside its name). */
  mouseOnly?: boolean;
  children: ReactNode;
}

/** A name or avatar that opens the person's profile card (ProfileCard) when clicked. */
export function ProfileTrigger({ userId, name, className, mouseOnly, children }: Props) {
  const t = useT();
  const ref = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        ref={ref}
        type="button"
        className={`profile-trigger ${className ?? ''}`}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-label={name !== undefined ? t('profile.open', { name }) : undefined}
        tabIndex={mouseOnly ? -1 : undefined}
        data-testid="profile-trigger"
        onClick={() => setOpen((o) => !o)}
      >
        {children}
      </button>
      {open && <ProfileCard userId={userId} anchor={ref.current} onClose={() => setOpen(false)} />}
    </>
  );
}
