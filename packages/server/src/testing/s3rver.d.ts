/** The little of s3rver (no types of its own) that the test helper uses. */
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';
  interface Options {
    port?: number;
    address?: string;
    silent?: boolean;
    directory?: string;
    configureBuckets?: { name: string }[];
  }
  export default class S3rver {
    constructor(options: Options);
    /** Koa's middleware list: the router is its last entry. */
    middleware: unknown[];
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
