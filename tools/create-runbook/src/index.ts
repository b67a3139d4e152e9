export { create, ownVersion, type CreateIo } from './create.js';
export { detectApp, type DetectedApp, type Framework } from './detect.js';
export { renderConfig } from './render-config.js';
export type { ProjectPlan } from './plan.js';
