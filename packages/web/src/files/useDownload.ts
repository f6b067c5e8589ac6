import type { Attachment } from '@parley/protocol';
import { useStore } from '../chat/context';
import { useT } from '../i18n/i18n';
import { toast } from '../ui/toast';

/** Saves a file under its name; a failure is said in the toast. */
export function useDownload(): (a: Pick<Attachment, 'id' | 'name'>) => void {
  const store = useStore();
  const t = useT();
  return (a) => void store.files.download(a).catch(() => toast(t('files.downloadFailed')));
}
