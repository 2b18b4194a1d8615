export { LocalStack } from './local-stack.js';
export type { CreatedContainer, LocalStackOptions } from './local-stack.js';
export { AppProcess, WORKSPACE_ROOT } from './app-process.js';
export type { AppName } from './app-process.js';
export { alertBody } from './alert-body.js';
export type { AlertBody } from './alert-body.js';
