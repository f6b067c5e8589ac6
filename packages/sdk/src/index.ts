export * from './state/reducer.js';
