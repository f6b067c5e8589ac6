/** See node-bundle.js. */
import type { BuildOptions } from 'esbuild';

export declare function sourceKey(dirs: readonly string[], lockfile: string): string;
export declare const nodeBundleOptions: BuildOptions;
