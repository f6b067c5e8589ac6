import { memo, useLayoutEffect, useMemo, useRef } from 'react';
import { renderMarkdown } from './render';
import { highlightWithin } from './highlight';
import { useShortcodesFor } from './shortcodes';
import { copyCodeClick, decorateCodeBlocks } from './code-blocks';
import { useT } from '../i18n/i18n';

interface Props {
  body: string;
  me: string;
  /** The message's @here reached this reader (the SDK's mentionsUser). */
  hereReachedMe?: boolean;
  className?: string;
  /** Nothing of it is memoised (revealed burn-after-reading content): it goes when the row lets go of it. */
  unmemoised?: boolean;
}

/** A message's Markdown, sanitised (render.ts) and with code highlighted once shiki has loaded. */
export const MessageBody = memo(function MessageBody({ body, me, hereReachedMe = false, className, unmemoised = false }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  // Once the full emoji set has come (for a `:shortcode:` not known at once), the body renders again.
  const shortcodes = useShortcodesFor(body);
  const html = useMemo(() => renderMarkdown(body, me, hereReachedMe, !unmemoised), [body, me, hereReachedMe, unmemoised, shortcodes]);
  const t = useT();
  const copyLabels = useMemo(() => ({ copy: t('code.copy'), copied: t('code.copied') }), [t]);
  // Each code block's language and Copy button (code-blocks.ts); the click is handled below.
  useLayoutEffect(() => {
    if (ref.current && html.includes('<pre')) decorateCodeBlocks(ref.current, copyLabels);
  }, [html, copyLabels]);
  useLayoutEffect(() => {
    if (!ref.current || !html.includes('data-lang')) return;
    return highlightWithin(ref.current, !unmemoised);
  }, [html, unmemoised]);
  // The string comes out of DOMPurify with the message allow-list (render.ts); nothing else is injected.
  return <div ref={ref} className={`md ${className ?? ''}`} data-testid="message-body" onClick={(e) => copyCodeClick(e, copyLabels)} dangerouslySetInnerHTML={{ __html: html }} />;
});
