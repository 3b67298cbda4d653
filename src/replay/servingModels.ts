/**
 * The replay's view of the registry: the active and shadow versions, with
 * their predictors loaded once per version. Re-read every few hundred
 * milliseconds so a promotion takes effect within a second.
 */
import type { Db } from '../../store/db.js';
import { servingSet } from '../../store/registry.js';
import type { ModelArtifact } from '../models/artifact.js';
import { loadPredictor, type Predictor } from '../models/predictor.js';
import { loadArtifact } from '../registry/saveArtifact.js';

export interface ServingModel {
  id: number;
  name: string;
  version: number;
  alias: 'active' | 'shadow';
  artifact: ModelArtifact;
  predictor: Predictor;
}

export class ServingModels {
  private loaded = new Map<number, ServingModel>();
  private key = '';
  current: ServingModel[] = [];

  constructor(private readonly db: Db) {}

  /**
   * Re-reads the serving set; returns true when it changed. `beforeChange` runs just before
   * the set is swapped and the predictors of models that left it are disposed (serve settles
   * the shadow scoring it owes with the old set there).
   */
  async refresh(beforeChange?: () => void): Promise<boolean> {
    const set = servingSet(this.db).filter((m) => m.alias === 'active' || m.alias === 'shadow');
    const key = set.map((m) => `${m.id}:${m.alias}`).join(',');
    if (key === this.key) return false;
    const next: ServingModel[] = [];
    for (const m of set) {
      let s = this.loaded.get(m.id);
      if (!s) {
        const artifact = loadArtifact(this.db, m.id);
        s = { id: m.id, name: m.name, version: m.version, alias: m.alias as 'active' | 'shadow', artifact, predictor: await loadPredictor(artifact) };
        this.loaded.set(m.id, s);
      }
      next.push({ ...s, alias: m.alias as 'active' | 'shadow' });
    }
    beforeChange?.();
    for (const [id, s] of this.loaded) {
      if (!set.some((m) => m.id === id)) {
        s.predictor.dispose();
        this.loaded.delete(id);
      }
    }
    this.key = key;
    this.current = next;
    return true;
  }

  get active(): ServingModel | undefined {
    return this.current.find((m) => m.alias === 'active');
  }

  dispose(): void {
    for (const s of this.loaded.values()) s.predictor.dispose();
    this.loaded.clear();
  }
}
