import { describe, expect, it } from 'vitest';
import { cropSquare, initialCrop, moveCrop, zoomCrop } from './crop';
import { expiryFor, localTimeIn, shownStatus } from './status';

describe('avatar crop', () => {
  it('starts as the largest centred square', () => {
    expect(cropSquare(initialCrop(400, 200))).toEqual({ x: 100, y: 0, size: 200 });
    expect(cropSquare(initialCrop(300, 500))).toEqual({ x: 0, y: 100, size: 300 });
  });

  it('zooming in takes a smaller square around the same centre, and moving is held inside the picture', () => {
    const zoomed = zoomCrop(initialCrop(400, 200), 2);
    expect(cropSquare(zoomed)).toEqual({ x: 150, y: 50, size: 100 });
    expect(cropSquare(moveCrop(zoomed, -1000, 0))).toEqual({ x: 0, y: 50, size: 100 });
    expect(cropSquare(moveCrop(zoomed, 1000, 1000))).toEqual({ x: 300, y: 100, size: 100 });
    // Zooming back out after a move keeps the bigger square inside too.
    expect(cropSquare(zoomCrop(moveCrop(zoomed, 1000, 0), 1))).toEqual({ x: 200, y: 0, size: 200 });
    expect(zoomCrop(zoomed, 99).zoom).toBe(4);
  });
});

describe('status', () => {
  it('ends at the chosen time; today and this week end at local midnight', () => {
    const now = new Date(2026, 11, 2, 15, 30); // a Wednesday, 15:30 local
    expect(expiryFor('never', now)).toBeNull();
    expect(Date.parse(expiryFor('30m', now)!) - now.getTime()).toBe(30 * 60_000);
    expect(new Date(expiryFor('today', now)!)).toEqual(new Date(2026, 11, 3, 0, 0));
    expect(new Date(expiryFor('week', now)!)).toEqual(new Date(2026, 11, 7, 0, 0));
    const sunday = new Date(2026, 11, 6, 10, 0);
    expect(new Date(expiryFor('week', sunday)!)).toEqual(new Date(2026, 11, 7, 0, 0));
  });

  it('an expired status is not shown, and the local time reads in the zone', () => {
    const u = { status_text: 'lunch', status_emoji: '🍜', status_expires_at: '2026-01-01T12:00:00.000Z' };
    expect(shownStatus(u, Date.parse('2026-01-01T11:59:00Z'))).toEqual({ emoji: '🍜', text: 'lunch' });
    expect(shownStatus(u, Date.parse('2026-01-01T12:00:00Z'))).toBeNull();
    expect(localTimeIn('Asia/Tokyo', 'en-US', new Date('2026-01-01T06:42:00Z'))).toBe('3:42 PM');
    expect(localTimeIn('Not/AZone', 'en-US')).toBeNull();
  });
});
