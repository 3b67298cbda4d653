/** Policy switches happen off the engine's snapshot and land in the registry a moment later: tests wait for them. */
import type { Db } from '../../store/db.js';
import { activeModel, refOf } from '../../store/registry.js';

/** True once `ref` (name@version) is the active model, false after `ms`. */
export async function activeBecomes(db: Db, ref: string, ms = 20_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const a = activeModel(db);
    if (a && refOf(a) === ref) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}
