import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { ErrorBoundary } from './app/ErrorBoundary';
import { initTheme } from './app/theme';
import { registerServiceWorker } from './pwa/register';
import { languageReady } from './i18n/i18n';
import './styles/app.css';

initTheme();
registerServiceWorker();

// A reader of Chinese gets the first screen in Chinese: its dictionary is a separate chunk.
void languageReady.then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <ErrorBoundary>
        <App />
      </ErrorBoundary>
    </StrictMode>,
  ),
);
