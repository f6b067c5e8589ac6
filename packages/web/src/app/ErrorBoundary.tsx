import { Component, type ErrorInfo, type ReactNode } from 'react';
import { translate } from '../i18n/i18n';

/**
 * Without a boundary, one component throwing while rendering unmounts the whole app and leaves a
 * blank page with no way forward. This keeps the failure visible, logged, and one click from a
 * reload; the local cache and outbox survive the reload, so nothing typed or sent is lost.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Parley: the app failed while drawing the screen', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="crash" role="alert" data-testid="app-crashed">
        <h1>{translate('crash.title')}</h1>
        <p>{translate('crash.body')}</p>
        <pre className="crash-detail">{this.state.error.message}</pre>
        <button type="button" className="primary" onClick={() => window.location.reload()}>
          {translate('crash.reload')}
        </button>
      </div>
    );
  }
}
