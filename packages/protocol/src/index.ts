export * from './errors.js';
export * from './level.js';
export * from './entities.js';
export * from './events.js';
export * from './requests.js';
export * from './frames.js';
export * from './plural.js';
export * from './responses.js';
