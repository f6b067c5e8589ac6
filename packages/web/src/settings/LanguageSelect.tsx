import { useId } from 'react';
import { setLanguage, useLanguage, useT } from '../i18n/i18n';
import { LANGUAGES, type Language } from '../i18n/strings';

export function LanguageSelect({ showLabel = false }: { showLabel?: boolean }) {
  const t = useT();
  const lang = useLanguage();
  const id = useId();
  return (
    <span className="language-select">
      <label htmlFor={id} className={showLabel ? '' : 'visually-hidden'}>
        {t('settings.language')}
      </label>
      <select id={id} data-testid="language-select" value={lang} onChange={(e) => void setLanguage(e.target.value as Language)}>
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </span>
  );
}
