import type { ScreenId } from '../state.js';
import type { ScreenDef } from './types.js';
import { overviewScreen } from './OverviewScreen.js';
import { driftScreen } from './DriftScreen.js';
import { shadowScreen } from './ShadowScreen.js';
import { modelsScreen } from './ModelsScreen.js';
import { retrainScreen } from './RetrainScreen.js';
import { eventsScreen } from './EventsScreen.js';
import { qualityScreen } from './QualityScreen.js';

export const SCREEN_DEFS: Record<ScreenId, ScreenDef<unknown>> = {
  overview: overviewScreen,
  drift: driftScreen,
  shadow: shadowScreen,
  models: modelsScreen,
  retrain: retrainScreen,
  events: eventsScreen,
  quality: qualityScreen,
};
