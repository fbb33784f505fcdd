import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../../../../shared/app/auth';
import { PackyardError } from '../../../../shared/domain/errors';
import type { TrustPolicy } from '../../../../shared/domain/jwt';
import type { RepoRecord } from '../../../../shared/domain/repo';
import type { TokenRecord } from '../../../../shared/domain/token';
import type { StoredSigningKey } from '../../../../shared/ports/metadata-store';
import { repoRecord as sharedRepoRecord, signingKeyRecord } from '../../../support/records';

const NOW = '2025-01-02T03:04:05.000Z';

export const repoRecord = (name: string): RepoRecord => sharedRepoRecord(name);

/** A stand-in signing key record (the store never looks inside it). */
export const signingKey = (repo: string): StoredSigningKey => signingKeyRecord(repo, { createdAt: NOW });

export function policy(repo: string, id: string, over: Partial<TrustPolicy> = {}): TrustPolicy {
  return {
    id,
    repo,
    issuer: 'https://token.actions.githubusercontent.com',
    audience: 'https://packyard.example',
    claims: { sub: 'repo:acme/app:ref:refs/heads/main' },
    permissions: ['push'],
    ttlSeconds: 3600,
    createdAt: NOW,
    createdBy: 'admin',
    ...over,
  };
}

export function principal(over: Partial<TokenRecord> = {}): Principal {
  return {
    hash: '0'.repeat(64),
    id: 'tok_test',
    kind: 'api',
    name: 'test',
    user: 'admin',
    admin: true,
    grants: {},
    createdAt: NOW,
    createdBy: 'test',
    revoked: false,
    ...over,
  };
}

/** Every item of a table, as stored. */
export async function scanTable(doc: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The PackyardError a promise rejects with (a test failure when it resolves or throws anything else). */
export async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PackyardError) return { status: e.status, code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

/** Records what is written to the console (still printing it); `restore` ends that. */
export function captureConsole(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const spies = (['log', 'info', 'warn', 'error'] as const).map((level) => {
    const original = console[level].bind(console);
    return jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
      original(...args);
    });
  });
  return { lines, restore: () => spies.forEach((s) => s.mockRestore()) };
}
