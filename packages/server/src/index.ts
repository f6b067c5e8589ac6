export { build, type Parley, type BuildOptions } from './app.js';
export { loadConfig, type Config, type ConfigOverrides } from './config/config.js';
export type { Bus } from './bus/bus.js';
export { MemoryBus } from './bus/memory.js';
export { loadJwtSecret } from './auth/tokens.js';
export { ConfigError } from './config/config.js';
export { startParley, type RunningParley, type StartOptions } from './start.js';
