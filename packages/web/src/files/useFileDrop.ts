import { useRef, useState } from 'react';

/**
 * Drag and drop of files onto an area: `over` while files are dragged above it (for the overlay),
 * `onFiles` on the drop. Drags of text or links are left alone. Child elements fire their own
 * enter/leave pairs, so a depth count decides when the drag really left the area.
 */
export function useFileDrop(onFiles: (files: File[]) => void, enabled = true) {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  const carriesFiles = (e: React.DragEvent) => enabled && [...e.dataTransfer.types].includes('Files');
  return {
    over,
    handlers: {
      onDragEnter: (e: React.DragEvent) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setOver(true);
      },
      onDragOver: (e: React.DragEvent) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave: (e: React.DragEvent) => {
        if (!carriesFiles(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      },
      onDrop: (e: React.DragEvent) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setOver(false);
        const files = [...e.dataTransfer.files];
        if (files.length) onFiles(files);
      },
    },
  };
}
