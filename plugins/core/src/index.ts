export * from './errors.js';
export * from './quote.js';
export * from './secret.js';
export * from './task.js';
export * from './steps.js';
export * from './connection.js';
export * from './remote.js';
