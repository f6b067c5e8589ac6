export { build, type Parley, type BuildOptions } from './app.js';
export { loadConfig, type Config, type ConfigOverrides } from './config/config.js';
export type { Bus } from './bus/bus.js';
export { MemoryBus } from './bus/memory.js';
