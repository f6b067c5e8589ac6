import { memo, useLayoutEffect, useMemo, useRef } from 'react';
import { renderMarkdown } from './render';
import { highlightWithin } from './highlight';

interface Props {
  body: string;
  me: string;
  /** The message's @here reached this reader (see chat/names.ts mentionsMe). */
  hereReachedMe?: boolean;
  className?: string;
}

/** A message's Markdown, sanitised (render.ts) and with code highlighted once shiki has loaded. */
export const MessageBody = memo(function MessageBody({ body, me, hereReachedMe = false, className }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const html = useMemo(() => renderMarkdown(body, me, hereReachedMe), [body, me, hereReachedMe]);
  useLayoutEffect(() => {
    if (!ref.current || !html.includes('data-lang')) return;
    return highlightWithin(ref.current);
  }, [html]);
  // The string comes out of DOMPurify with the message allow-list (render.ts); nothing else is injected.
  return <div ref={ref} className={`md ${className ?? ''}`} data-testid="message-body" dangerouslySetInnerHTML={{ __html: html }} />;
});
