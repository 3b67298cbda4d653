/** A text progress bar: "█████░░░░░" of exactly `width` cells. */
export function progressBar(done: number, total: number, width: number): string {
  if (width <= 0) return '';
  const f = total > 0 ? Math.max(0, Math.min(1, done / total)) : 0;
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}
