import type { Attachment } from '@parley/protocol';
import { useStore } from '../chat/context';
import { useT } from '../i18n/i18n';
import { toast } from '../ui/toast';
import { IconDownload } from '../ui/icons';

/** Saves a file under its name; a failure is said in the toast. The file card and the lightbox both carry one. */
export function DownloadButton({ file, testId }: { file: Pick<Attachment, 'id' | 'name'>; testId: string }) {
  const store = useStore();
  const t = useT();
  const label = t('files.download', { name: file.name });
  return (
    <button type="button" className="icon-button" data-testid={testId} aria-label={label} title={label} onClick={() => void store.files.download(file).catch(() => toast(t('files.downloadFailed')))}>
      <IconDownload />
    </button>
  );
}
