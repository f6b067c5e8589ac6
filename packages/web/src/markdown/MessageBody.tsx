import { memo, useLayoutEffect, useMemo, useRef } from 'react';
import { renderMarkdown } from './render';
import { highlightWithin } from './highlight';

interface Props {
  body: string;
  me: string;
  className?: string;
}

/** A message's Markdown, sanitised (render.ts) and with code highlighted once shiki has loaded. */
export const MessageBody = memo(function MessageBody({ body, me, className }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const html = useMemo(() => renderMarkdown(body, me), [body, me]);
  useLayoutEffect(() => {
    if (!ref.current || !html.includes('data-lang')) return;
    return highlightWithin(ref.current);
  }, [html]);
  // The string comes out of DOMPurify with the message allow-list (render.ts); nothing else is injected.
  return <div ref={ref} className={`md ${className ?? ''}`} data-testid="message-body" dangerouslySetInnerHTML={{ __html: html }} />;
});
