import { memo, useLayoutEffect, useRef, useState } from 'react';
import type { Attachment } from '@parley/protocol';
import { useStore } from '../chat/context';
import { useT } from '../i18n/i18n';
import { highlightWithin } from '../markdown/highlight';
import { IconFile } from '../ui/icons';
import { fileKind, formatSize, languageOf, thumbBox } from './kind';
import { Lightbox } from './Lightbox';
import { DownloadButton } from './DownloadButton';
import { useFileUrl } from './useFileUrl';

/** Preview lines shown before "Show more" (the server keeps up to ten). */
const COLLAPSED_LINES = 5;

/**
 * A message's files: images as thumbnails (opening a lightbox), everything else as cards.
 * `unmemoised`: a revealed burn message's files, whose previews are kept in no cache.
 */
export const Attachments = memo(function Attachments({ items, unmemoised = false }: { items: readonly Attachment[]; unmemoised?: boolean }) {
  const images = items.filter((a) => fileKind(a) === 'image' && a.has_thumbnail);
  const others = items.filter((a) => !images.includes(a));
  const [open, setOpen] = useState<number | null>(null);
  return (
    <div className="attachments" data-testid="attachments">
      {images.length > 0 && (
        <div className="attachment-images">
          {images.map((a, i) => (
            <Thumbnail key={a.id} a={a} onOpen={() => setOpen(i)} />
          ))}
        </div>
      )}
      {others.map((a) => (
        <FileCard key={a.id} a={a} unmemoised={unmemoised} />
      ))}
      {open !== null && images[open] && <Lightbox images={images} index={open} onIndex={setOpen} onClose={() => setOpen(null)} />}
    </div>
  );
});

function Thumbnail({ a, onOpen }: { a: Attachment; onOpen: () => void }) {
  const t = useT();
  const store = useStore();
  const { url, failed } = useFileUrl(store.files.thumbs, a.id);
  const box = thumbBox(a.width, a.height);
  return (
    <button
      type="button"
      className="attachment-image"
      data-testid="attachment-image"
      data-file-id={a.id}
      aria-label={t('files.open', { name: a.name })}
      title={a.width && a.height ? `${a.name} · ${a.width}×${a.height} · ${formatSize(a.size)}` : a.name}
      // The box is reserved from the dimensions the server measured, so nothing moves when it loads.
      style={{ width: box.width, aspectRatio: `${box.width} / ${box.height}` }}
      onClick={onOpen}
    >
      {url ? <img src={url} alt={a.name} width={box.width} height={box.height} draggable={false} /> : failed ? <span className="muted">{t('files.imageFailed')}</span> : null}
    </button>
  );
}

function FileCard({ a, unmemoised }: { a: Attachment; unmemoised: boolean }) {
  const t = useT();
  const kind = fileKind(a);
  const [expanded, setExpanded] = useState(false);
  const preview = a.preview?.replace(/\s+$/, '') ?? null;
  const lines = preview === null ? [] : preview.split('\n');
  const shown = expanded ? lines : lines.slice(0, COLLAPSED_LINES);
  const lang = kind === 'code' ? languageOf(a.name) : null;
  const pre = useRef<HTMLDivElement>(null);
  const text = shown.join('\n');
  useLayoutEffect(() => {
    if (!pre.current || !lang) return;
    return highlightWithin(pre.current, !unmemoised);
  }, [text, lang, unmemoised]);
  return (
    <div className="file-card" data-testid="attachment-file" data-file-id={a.id} data-kind={kind}>
      <div className="file-card-head">
        <span className={`file-icon kind-${kind}`}>
          <IconFile kind={kind} />
        </span>
        <span className="file-meta">
          <span className="file-name" title={a.name}>
            {a.name}
          </span>
          <span className="file-size muted">
            {t(`files.kind.${kind}`)} · {formatSize(a.size)}
          </span>
        </span>
        <DownloadButton file={a} testId="attachment-download" />
      </div>
      {preview !== null && preview !== '' && (
        <>
          {/* Same path as code blocks in messages: shiki tokens painted as text nodes (markdown/highlight.ts). */}
          <div ref={pre} className="md file-preview" data-testid="attachment-preview">
            <pre key={`${lang}:${text}`} className="code" {...(lang ? { 'data-lang': lang } : {})}>
              <code>{text}</code>
            </pre>
          </div>
          {lines.length > COLLAPSED_LINES && (
            <button type="button" className="link-button file-preview-toggle" aria-expanded={expanded} onClick={() => setExpanded((v) => !v)}>
              {expanded ? t('files.showLess') : t('files.showMore')}
            </button>
          )}
        </>
      )}
    </div>
  );
}
