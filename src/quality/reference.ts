/**
 * Where quality rules come from: the config's `quality.rules` when the operator has written
 * them (`mlops-tui quality rules --from MODEL@V`), else rules inferred from the active model's
 * training profile. Reads the artifact's JSON only, so neither tfjs nor the weights load here.
 */
import type { Db } from '../../store/db.js';
import { activeModel, findModel, loadArtifactBlobs, parseRef, refOf, type ModelInfo } from '../../store/registry.js';
import type { ArtifactMeta } from '../models/artifact.js';
import type { Config } from '../config.js';
import { inferRules, type QualityRules } from './rules.js';

export interface ModelReference {
  model: ModelInfo;
  ref: string;
  meta: ArtifactMeta;
}

/** The model `ref` names (NAME or NAME@V; the active model when omitted), with its artifact's JSON. */
export function modelReference(db: Db, ref?: string | null): ModelReference {
  let model: ModelInfo | null;
  if (ref) {
    const { name, version } = parseRef(ref);
    model = findModel(db, name, version);
    if (!model) throw new Error(`no model ${ref} in the registry`);
  } else {
    model = activeModel(db);
    if (!model) throw new Error('no active model in the registry: name one as MODEL@V');
  }
  const { artifact } = loadArtifactBlobs(db, model.id);
  return { model, ref: refOf(model), meta: JSON.parse(artifact) as ArtifactMeta };
}

export interface ResolvedRules {
  rules: QualityRules;
  /** "config" or the model@version the rules were inferred from */
  source: string;
}

export function rulesFromModel(ref: ModelReference): QualityRules {
  // A version registered without a training profile (an external model, a test fixture) has
  // nothing to infer rules from: no rules, rather than an engine that stops on every step.
  if (!ref.meta.profile || !ref.meta.schema) return {};
  return inferRules(ref.meta.profile, ref.meta.schema);
}

/** The rules in force: the config's, or the active model's inferred ones; null when neither exists. */
export function resolveRules(db: Db, config: Config): ResolvedRules | null {
  const rules = config.quality?.rules;
  if (rules && Object.keys(rules).length > 0) return { rules, source: config.quality?.reference ? `config (from ${config.quality.reference})` : 'config' };
  if (activeModel(db) === null) return null;
  const ref = modelReference(db);
  return { rules: rulesFromModel(ref), source: ref.ref };
}
