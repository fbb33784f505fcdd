import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, makeDynamoClients, makeS3Client } from '../../infra/local/emulators';

export interface TestClients {
  s3: S3Client;
  dynamo: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  s3Endpoint: string;
  dynamoEndpoint: string;
}

let clients: TestClients | undefined;

function endpoint(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this test through jest's integration or e2e project (globalSetup starts the emulators)`);
  return value;
}

/** SDK clients for the run's emulators, one set per worker. */
export function testClients(): TestClients {
  if (!clients) {
    const s3Endpoint = endpoint('PACKYARD_TEST_S3_ENDPOINT');
    const dynamoEndpoint = endpoint('PACKYARD_TEST_DYNAMO_ENDPOINT');
    const { client, doc } = makeDynamoClients(dynamoEndpoint);
    clients = { s3: makeS3Client(s3Endpoint), dynamo: client, doc, s3Endpoint, dynamoEndpoint };
  }
  return clients;
}

/** A name no other test (or worker) uses: lower case, valid for tables and buckets. */
export const uniqueName = (prefix: string): string =>
  `${prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

/** A new table with Packyard's key schema, named after `prefix`. */
export async function freshTable(prefix = 'test'): Promise<string> {
  const name = uniqueName(prefix);
  await ensureTable(testClients().dynamo, name);
  return name;
}

/** A new, empty bucket. */
export async function freshBucket(prefix = 'test'): Promise<string> {
  const name = uniqueName(prefix).slice(0, 63);
  await testClients().s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}
