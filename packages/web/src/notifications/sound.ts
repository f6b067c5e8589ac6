/** One AudioContext for the page, made on the first chime (browsers let it play after the user interacted with the page). */
let ctx: AudioContext | null = null;

/**
 * A short two-note chime, synthesised (no audio file to fetch or cache). Quiet failure: a browser
 * that refuses audio just stays silent.
 */
export function playChime(): void {
  try {
    ctx ??= new AudioContext();
    const t = ctx.currentTime;
    const gain = ctx.createGain();
    gain.connect(ctx.destination);
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.12, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.45);
    for (const [freq, at] of [
      [880, 0],
      [1320, 0.12],
    ] as const) {
      const osc = ctx.createOscillator();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(freq, t + at);
      osc.connect(gain);
      osc.start(t + at);
      osc.stop(t + at + 0.3);
    }
  } catch {
    /* no audio here */
  }
}
