import { toggleTheme, useTheme } from '../app/theme';
import { useT } from '../i18n/i18n';
import { IconMoon, IconSun } from '../ui/icons';

export function ThemeToggle() {
  const t = useT();
  const { theme } = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  const label = t('settings.toggleTheme', { theme: t(`settings.theme.${next}`) });
  return (
    <button type="button" className="icon-button" data-testid="theme-toggle" onClick={toggleTheme} aria-label={label} title={label} aria-pressed={theme === 'dark'}>
      {theme === 'dark' ? <IconSun /> : <IconMoon />}
    </button>
  );
}
