/**
 * The square crop of an avatar picture, in the picture's own pixels (what `PUT /me/avatar`
 * takes): `zoom` 1 is the largest square that fits, larger zooms are smaller squares; the
 * centre moves with dragging or the arrow keys and is always held inside the picture.
 */
export interface Crop {
  width: number;
  height: number;
  zoom: number;
  /** The square's centre, in source pixels. */
  cx: number;
  cy: number;
}

export const MAX_ZOOM = 4;

export function initialCrop(width: number, height: number): Crop {
  return { width, height, zoom: 1, cx: width / 2, cy: height / 2 };
}

/** The square the crop keeps, whole pixels, inside the picture. */
export function cropSquare(c: Crop): { x: number; y: number; size: number } {
  const size = Math.max(1, Math.floor(Math.min(c.width, c.height) / c.zoom));
  const x = Math.round(Math.min(Math.max(c.cx - size / 2, 0), c.width - size));
  const y = Math.round(Math.min(Math.max(c.cy - size / 2, 0), c.height - size));
  return { x, y, size };
}

/** The crop with its centre moved by (dx, dy) source pixels, held so the square stays inside. */
export function moveCrop(c: Crop, dx: number, dy: number): Crop {
  return clampCentre({ ...c, cx: c.cx + dx, cy: c.cy + dy });
}

export function zoomCrop(c: Crop, zoom: number): Crop {
  return clampCentre({ ...c, zoom: Math.min(MAX_ZOOM, Math.max(1, zoom)) });
}

function clampCentre(c: Crop): Crop {
  const half = Math.min(c.width, c.height) / c.zoom / 2;
  return { ...c, cx: Math.min(Math.max(c.cx, half), c.width - half), cy: Math.min(Math.max(c.cy, half), c.height - half) };
}
