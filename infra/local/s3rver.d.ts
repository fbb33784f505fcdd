// s3rver 3.7 ships no type declarations; this covers the part of its API the local runtime uses.
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  namespace S3rver {
    interface BucketConfig {
      name: string;
      configs?: (string | Buffer)[];
    }
    interface Options {
      address?: string;
      port?: number;
      silent?: boolean;
      directory?: string;
      resetOnClose?: boolean;
      allowMismatchedSignatures?: boolean;
      vhostBuckets?: boolean;
      serviceEndpoint?: string;
      configureBuckets?: BucketConfig[];
    }
    /** An S3-notification-shaped event (`ObjectCreated:Put|Copy|Post`, `ObjectRemoved:Delete`). */
    interface S3EventRecord {
      eventName: string;
      s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
    }
    interface S3Event {
      Records: S3EventRecord[];
    }
  }

  class S3rver extends EventEmitter {
    constructor(options?: S3rver.Options);
    httpServer?: Server;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
    on(event: 'event', listener: (e: S3rver.S3Event) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
  export = S3rver;
}
