export { startAlertRouter, sinksFromConfig, ROUTER_CONSUMER } from './alert-router.js';
export type { AlertRouterConfig, RunningRouter } from './alert-router.js';
export { replayDeadLetters, runDeadLetterReplay } from './dead-letter-replay.js';
export type { ReplayReport } from './dead-letter-replay.js';
export { classify, dedupKey } from './severity.js';
export { AlertFeedClient, alertFeedDefinition } from './alert-feed.js';
export { WINDOWS_BUCKET } from './window-store.js';
