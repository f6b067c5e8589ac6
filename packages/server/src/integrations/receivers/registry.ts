import type { WebhookKind } from '@parley/protocol';
import { alertmanagerReceiver, grafanaReceiver } from './alertmanager.js';
import { ciReceiver } from './ci.js';
import { githubReceiver } from './github.js';
import { gitlabReceiver } from './gitlab.js';
import type { Receiver } from './receiver.js';
import { sentryReceiver } from './sentry.js';

/** Every kind of incoming webhook but Slack's (a plain message) has a receiver. */
export const RECEIVERS: Record<Exclude<WebhookKind, 'slack'>, Receiver> = {
  alertmanager: alertmanagerReceiver,
  grafana: grafanaReceiver,
  github: githubReceiver,
  gitlab: gitlabReceiver,
  sentry: sentryReceiver,
  ci: ciReceiver,
};

/** Kinds whose sender proves itself with a key Parley makes and shows once (GitHub's secret, GitLab's token). */
export const SHOWS_SIGNING_KEY: ReadonlySet<WebhookKind> = new Set(['github', 'gitlab']);
/** Kinds that may also ask for HTTP basic auth. */
export const TAKES_BASIC_AUTH: ReadonlySet<WebhookKind> = new Set(['alertmanager', 'grafana']);
