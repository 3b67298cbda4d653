/** A one-line progress report for headless commands: redrawn in place on a TTY, a line per step otherwise. */
import type { TrainProgress } from '../models/trainSpec.js';

export function bar(fraction: number, width = 20): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

export function describeProgress(p: TrainProgress): string {
  switch (p.phase) {
    case 'loading': return 'loading training rows';
    case 'training': return `training on ${p.rows} rows, features: ${p.features.join(', ')}`;
    case 'saving': return 'saving the artifact';
    case 'epoch':
      return `${bar(p.epoch / p.epochs)} epoch ${p.epoch}/${p.epochs}  loss ${p.loss.toFixed(4)}  val loss ${p.valLoss.toFixed(4)}  val metric ${p.valMetric.toFixed(4)}  ETA ${Math.ceil(p.etaSeconds)}s`;
  }
}

export function progressPrinter(stream: NodeJS.WriteStream = process.stderr, prefix = ''): (p: TrainProgress) => void {
  let inPlace = false;
  return (p) => {
    const text = `${prefix}${describeProgress(p)}`;
    if (stream.isTTY && p.phase === 'epoch') {
      stream.write(`\r\u001b[2K${text}`);
      inPlace = true;
    } else {
      if (inPlace) stream.write('\n');
      inPlace = false;
      stream.write(`${text}\n`);
    }
  };
}
