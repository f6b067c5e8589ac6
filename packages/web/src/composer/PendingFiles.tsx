import { useEffect, useState } from 'react';
import { useStore } from '../chat/context';
import { useT } from '../i18n/i18n';
import { fileKind, formatSize, type FileKind } from '../files/kind';
import type { PendingUpload } from '../files/pending';
import { IconClose, IconFile } from '../ui/icons';

/** The composer's files as chips: name, size, a progress bar while uploading, cancel or remove, and why one failed. */
export function PendingFiles({ draftKey, list }: { draftKey: string; list: readonly PendingUpload[] }) {
  const t = useT();
  const store = useStore();
  if (list.length === 0) return null;
  return (
    <ul className="composer-files" aria-label={t('files.pending')} data-testid="composer-files">
      {list.map((u) => {
        const percent = u.size ? Math.floor((u.sent / u.size) * 100) : 100;
        const kind = fileKind({ mime: u.type, name: u.name, preview: null });
        const retryable = u.status === 'error' && (u.error === 'network' || u.error === 'failed');
        return (
          <li key={u.key} className={`file-chip ${u.status}`} data-testid="composer-file" data-status={u.status} data-name={u.name}>
            <ChipIcon kind={kind} file={kind === 'image' ? store.uploads.localFile(u.key) : undefined} />
            <span className="file-chip-main">
              <span className="file-chip-line">
                <span className="file-chip-name" title={u.name}>
                  {u.name}
                </span>
                <span className="muted file-chip-size">{formatSize(u.size)}</span>
              </span>
              {u.status === 'uploading' && <progress className="file-progress" max={100} value={percent} aria-label={t('files.uploading', { name: u.name, percent })} />}
              {u.status === 'error' && u.error && (
                <span className="error file-chip-error" role="alert" data-testid="composer-file-error" data-error={u.error}>
                  {t(`files.error.${u.error}`, { name: u.name, n: 10, names: u.name })}
                </span>
              )}
            </span>
            {retryable && (
              <button type="button" className="link-button" onClick={() => store.uploads.retry(draftKey, u.key)} aria-label={t('files.retry', { name: u.name })}>
                {t('message.retry')}
              </button>
            )}
            <button
              type="button"
              className="icon-button small"
              data-testid="composer-file-remove"
              aria-label={u.status === 'uploading' ? t('files.cancel', { name: u.name }) : t('files.remove', { name: u.name })}
              title={u.status === 'uploading' ? t('files.cancel', { name: u.name }) : t('files.remove', { name: u.name })}
              onClick={() => store.uploads.cancel(draftKey, u.key)}
            >
              <IconClose />
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** An image chip shows the picture itself (from the local bytes, never uploaded for this); others their type icon. */
function ChipIcon({ kind, file }: { kind: FileKind; file: File | undefined }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file) return;
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => {
      URL.revokeObjectURL(u);
      setUrl(null);
    };
  }, [file]);
  if (url) return <img className="file-chip-thumb" src={url} alt="" />;
  return (
    <span className={`file-icon small kind-${kind}`}>
      <IconFile kind={kind} />
    </span>
  );
}
