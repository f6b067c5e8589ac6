import { useEffect, useRef } from 'react';

/**
 * A list that follows a search box: `load` runs with the trimmed query a moment after the last
 * key, and an answer to a query typed over since is dropped, so a slow early answer never
 * replaces a later one. `apply` and `fail` receive what the newest query got.
 */
export function useSearchBox<T>(query: string, load: (q: string) => Promise<T>, apply: (result: T) => void, fail: (e: unknown) => void, delayMs = 250): void {
  // The callbacks change every render; the search runs again only when the query does.
  const latest = useRef({ load, apply, fail });
  latest.current = { load, apply, fail };
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      latest.current.load(query.trim()).then(
        (r) => live && latest.current.apply(r),
        (e: unknown) => live && latest.current.fail(e),
      );
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query, delayMs]);
}
