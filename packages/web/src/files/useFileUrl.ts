import { useEffect, useState } from 'react';
import type { UrlCache } from './url-cache';

/** An object URL for a file while the component is mounted; `failed` once the download failed. */
export function useFileUrl(cache: UrlCache, id: string | null): { url: string | null; failed: boolean } {
  const [state, setState] = useState<{ id: string | null; url: string | null; failed: boolean }>({ id: null, url: null, failed: false });
  useEffect(() => {
    if (!id) return;
    let live = true;
    const held = cache.acquire(id);
    held.url.then(
      (url) => live && setState({ id, url, failed: false }),
      () => live && setState({ id, url: null, failed: true }),
    );
    return () => {
      live = false;
      held.release();
    };
  }, [cache, id]);
  return state.id === id ? { url: state.url, failed: state.failed } : { url: null, failed: false };
}
