import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { AVATAR_TYPES } from '@parley/protocol';
import { useChat, useStore } from '../chat/context';
import { useT } from '../i18n/i18n';
import { Avatar } from '../ui/Avatar';
import { useAction } from '../ui/useAction';
import { cropSquare, initialCrop, MAX_ZOOM, moveCrop, zoomCrop, type Crop } from './crop';

/** The crop viewport's edge on screen, in CSS pixels. */
const VIEW = 200;

interface Picked {
  file: File;
  url: string;
  crop: Crop;
}

/**
 * Settings › Profile › Picture: pick a file, choose the square to keep (drag or arrow keys to
 * move, the slider, wheel or +/− to zoom; the viewport shows exactly what is kept), then upload
 * it with the crop in the picture's pixels; the server makes the 256×256 picture. Or remove it.
 */
export function AvatarEditor() {
  const t = useT();
  const store = useStore();
  const me = useChat((s) => s.me);
  const [picked, setPicked] = useState<Picked | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const { busy, error, setError, act } = useAction();
  const input = useRef<HTMLInputElement>(null);
  const drag = useRef<{ x: number; y: number } | null>(null);

  // The picked file's URL lives as long as the pick (a new crop keeps it: same url).
  const url = picked?.url;
  useEffect(
    () => () => {
      if (url) URL.revokeObjectURL(url);
    },
    [url],
  );

  function choose(file: File | undefined) {
    setNote(null);
    setError(null);
    if (!file) return;
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => setPicked({ file, url, crop: initialCrop(img.naturalWidth, img.naturalHeight) });
    img.onerror = () => {
      URL.revokeObjectURL(url);
      setError(t('profile.avatar.unreadable'));
    };
    img.src = url;
  }

  function cancel() {
    setPicked(null);
    if (input.current) input.current.value = '';
  }

  const save = () =>
    act(async () => {
      if (!picked) return;
      const bytes = new Uint8Array(await picked.file.arrayBuffer());
      // The server reads the real type from the bytes; an unknown claim gets its clear refusal.
      const type = (AVATAR_TYPES as readonly string[]).includes(picked.file.type) ? picked.file.type : 'application/octet-stream';
      await store.updateMe((c) => c.setAvatar(bytes, type, cropSquare(picked.crop)));
      cancel();
      setNote(t('profile.avatar.saved'));
    });

  const remove = () =>
    act(async () => {
      await store.updateMe((c) => c.removeAvatar());
      setNote(t('profile.avatar.removed'));
    });

  const update = (f: (c: Crop) => Crop) => setPicked((p) => (p ? { ...p, crop: f(p.crop) } : p));
  const square = picked ? cropSquare(picked.crop) : null;
  const scale = square ? VIEW / square.size : 1;

  function onKey(e: KeyboardEvent) {
    if (!square) return;
    const step = square.size * (e.shiftKey ? 0.2 : 0.05);
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const move = moves[e.key];
    if (move) update((c) => moveCrop(c, move[0], move[1]));
    else if (e.key === '+' || e.key === '=') update((c) => zoomCrop(c, c.zoom + 0.1));
    else if (e.key === '-' || e.key === '_') update((c) => zoomCrop(c, c.zoom - 0.1));
    else return;
    e.preventDefault();
  }

  function onPointerDown(e: PointerEvent<HTMLDivElement>) {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY };
  }
  function onPointerMove(e: PointerEvent<HTMLDivElement>) {
    const from = drag.current;
    if (!from) return;
    drag.current = { x: e.clientX, y: e.clientY };
    // Dragging the picture right shows more of its left: the square moves the other way.
    update((c) => moveCrop(c, -(e.clientX - from.x) / scale, -(e.clientY - from.y) / scale));
  }

  return (
    <div className="avatar-editor" data-testid="avatar-editor">
      <div className="avatar-editor-current">
        <Avatar user={me} id={me.id} size={64} />
        <div className="avatar-editor-actions">
          <label className="button small file-button">
            {t('profile.avatar.choose')}
            <input ref={input} type="file" accept={AVATAR_TYPES.join(',')} className="visually-hidden" data-testid="avatar-file" onChange={(e) => choose(e.target.files?.[0])} />
          </label>
          {me.avatar_url && !picked && (
            <button type="button" className="button small" data-testid="avatar-remove" disabled={busy} onClick={() => void remove()}>
              {t('profile.avatar.remove')}
            </button>
          )}
          <p className="muted small">{t('profile.avatar.types')}</p>
        </div>
      </div>
      {picked && square && (
        <div className="avatar-crop">
          <div
            className="avatar-crop-view"
            role="group"
            tabIndex={0}
            aria-label={t('profile.avatar.crop')}
            data-testid="avatar-crop"
            data-crop={`${square.x},${square.y},${square.size}`}
            style={{ width: VIEW, height: VIEW }}
            onKeyDown={onKey}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={() => (drag.current = null)}
            onPointerCancel={() => (drag.current = null)}
            onWheel={(e) => update((c) => zoomCrop(c, c.zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1)))}
          >
            <img src={picked.url} alt="" draggable={false} style={{ width: picked.crop.width * scale, height: picked.crop.height * scale, left: -square.x * scale, top: -square.y * scale }} />
          </div>
          <p className="muted small" aria-hidden="true">
            {t('profile.avatar.crop')}
          </p>
          <label className="avatar-zoom">
            {t('profile.avatar.zoom')}
            <input type="range" min={1} max={MAX_ZOOM} step={0.01} value={picked.crop.zoom} data-testid="avatar-zoom" onChange={(e) => update((c) => zoomCrop(c, Number(e.target.value)))} />
          </label>
          <div className="avatar-crop-actions">
            <button type="button" className="button primary small" data-testid="avatar-save" disabled={busy} onClick={() => void save()}>
              {t('profile.avatar.save')}
            </button>
            <button type="button" className="button small" disabled={busy} onClick={cancel}>
              {t('profile.avatar.cancel')}
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {note && (
        <p className="muted small" role="status" data-testid="avatar-note">
          {note}
        </p>
      )}
    </div>
  );
}
