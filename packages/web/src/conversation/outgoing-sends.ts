import type { OutgoingWebhook } from '@parley/protocol';
import type { Translate } from '../i18n/i18n';

/** What an outgoing webhook is told about, in a line: `Messages starting with deploy, ship · Reactions`. */
export function describeSends(h: Pick<OutgoingWebhook, 'events' | 'trigger_words'>, t: Translate): string {
  return h.events.map((e) => (e === 'message' && h.trigger_words.length > 0 ? t('outgoing.sends.triggered', { words: h.trigger_words.join(', ') }) : t(`outgoing.event.${e}`))).join(' · ');
}
