import { useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import type { Attachment } from '@parley/protocol';
import { useStore } from '../chat/context';
import { useT } from '../i18n/i18n';
import { IconChevronLeft, IconChevronRight, IconClose } from '../ui/icons';
import { formatSize } from './kind';
import { DownloadButton } from './DownloadButton';
import { useFileUrl } from './useFileUrl';

interface Props {
  images: readonly Attachment[];
  index: number;
  onIndex: (i: number) => void;
  onClose: () => void;
}

/**
 * One image of a message at full size. Escape or a click outside the image closes it, the arrow
 * keys move across the message's images, focus stays inside and returns to the thumbnail after.
 * The thumbnail is shown (scaled up) until the full file has arrived.
 */
export function Lightbox({ images, index, onIndex, onClose }: Props) {
  const t = useT();
  const store = useStore();
  const a = images[index]!;
  const full = useFileUrl(store.files.full, a.id);
  const thumb = useFileUrl(store.files.thumbs, a.id);
  const ref = useRef<HTMLDivElement>(null);
  const many = images.length > 1;
  const go = (d: number) => onIndex((index + d + images.length) % images.length);

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (many && (e.key === 'ArrowRight' || e.key === 'ArrowLeft')) {
      e.preventDefault();
      go(e.key === 'ArrowRight' ? 1 : -1);
    } else if (e.key === 'Tab' && ref.current) {
      const items = [...ref.current.querySelectorAll<HTMLElement>('button')];
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last?.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first?.focus();
      }
    }
  };

  const src = full.url ?? thumb.url;
  return createPortal(
    <div
      ref={ref}
      className="lightbox"
      role="dialog"
      aria-modal="true"
      aria-label={`${t('files.viewer')}: ${a.name}`}
      data-testid="lightbox"
      onKeyDown={onKeyDown}
      onClick={(e) => {
        if (e.target === e.currentTarget || (e.target as HTMLElement).classList.contains('lightbox-stage')) onClose();
      }}
    >
      <header className="lightbox-bar">
        <span className="lightbox-title">
          <span className="lightbox-name">{a.name}</span>
          <span className="lightbox-meta">
            {a.width && a.height ? `${a.width}×${a.height} · ` : ''}
            {formatSize(a.size)}
            {many ? ` · ${t('files.position', { i: index + 1, n: images.length })}` : ''}
          </span>
        </span>
        <DownloadButton file={a} testId="lightbox-download" />
        <button type="button" className="icon-button" data-testid="lightbox-close" data-autofocus aria-label={t('dialog.close')} title={t('dialog.close')} onClick={onClose}>
          <IconClose />
        </button>
      </header>
      <div className="lightbox-stage">
        {many && (
          <button type="button" className="icon-button lightbox-nav prev" aria-label={t('files.previous')} onClick={() => go(-1)}>
            <IconChevronLeft />
          </button>
        )}
        {src ? (
          <img key={a.id} src={src} alt={a.name} data-testid="lightbox-image" data-full={full.url ? 'true' : 'false'} width={a.width ?? undefined} height={a.height ?? undefined} />
        ) : full.failed ? (
          <p className="lightbox-error">{t('files.imageFailed')}</p>
        ) : null}
        {many && (
          <button type="button" className="icon-button lightbox-nav next" aria-label={t('files.next')} onClick={() => go(1)}>
            <IconChevronRight />
          </button>
        )}
      </div>
    </div>,
    document.body,
  );
}
