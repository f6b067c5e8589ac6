import { Fragment } from 'react';
import { useT } from '../i18n/i18n';
import { Dialog } from '../ui/Dialog';
import { isMac, keyLabel, SHORTCUTS, type ShortcutSection } from './shortcuts';
import './shortcuts.css';

const SECTIONS: readonly ShortcutSection[] = ['navigation', 'composer', 'lists'];

/** Ctrl+/ (or Settings → Keyboard shortcuts): every shortcut, read from the table the handlers use. */
export function ShortcutsSheet({ onClose }: { onClose: () => void }) {
  const t = useT();
  const mac = isMac();
  return (
    <Dialog title={t('shortcuts.title')} onClose={onClose} className="shortcuts-sheet">
      {/* Focusable, so the list can be scrolled from the keyboard when it is taller than the screen. */}
      <div data-testid="shortcuts-sheet" className="shortcuts-list" tabIndex={0} role="region" aria-label={t('shortcuts.title')}>
        {SECTIONS.map((section) => (
          <table key={section} className="shortcuts-table">
            <caption>{t(`shortcuts.section.${section}`)}</caption>
            <tbody>
              {SHORTCUTS.filter((s) => s.section === section).map((s) => (
                <tr key={s.id} data-testid="shortcut" data-shortcut={s.id}>
                  <th scope="row">{t(s.label)}</th>
                  <td>
                    {s.keys.map((combo, i) => (
                      <Fragment key={i}>
                        {i > 0 && <span className="muted"> {t('shortcuts.or')} </span>}
                        <kbd className="shortcut-keys" data-keys={combo.join('+')}>
                          {combo.map((k, j) => (
                            <Fragment key={j}>
                              {j > 0 && '+'}
                              <kbd>{keyLabel(k, mac)}</kbd>
                            </Fragment>
                          ))}
                        </kbd>
                      </Fragment>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
    </Dialog>
  );
}
