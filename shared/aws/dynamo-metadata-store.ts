import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { badRequest, Codes, conflict, internal, notFound, PackyardError } from '../domain/errors';
import { packageId, packageSortKey, sortKeyFromPackageId, type PackageChanges, type PackageRecord } from '../domain/package';
import type { RepoRecord } from '../domain/repo';
import type { AuditEvent } from '../domain/audit';
import type { CollaboratorRecord, UserRecord } from '../domain/collaborator';
import { OidcCodes, type TrustPolicy } from '../domain/jwt';
import type { TokenRecord } from '../domain/token';
import type { UploadRecord } from '../domain/upload';
import type { MetadataStore, Page, ScopeState, StoredSigningKey } from '../ports/metadata-store';
import { sdkErrorName, unexpectedSdkError } from './sdk-error';

export { packageId, packageSortKey };

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Attributes this adapter adds to a record to store it; stripped again when reading. */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'ttl', 'entity'] as const;

const META = 'META';
const repoPk = (name: string) => `REPO#${name}`;
const scopeSk = (format: string, scope: string) => `SCOPE#${format}#${scope}`;
const attributesSk = (format: string, scope: string) => `ATTR#${format}#${scope}`;
const uploadPk = (id: string) => `UPLOAD#${id}`;
const tokenPk = (hash: string) => `TOKEN#${hash}`;
const tokenIdPk = (id: string) => `TOKENID#${id}`;
/** gsi1 partitions: every repository; every token; one repository's uploads (so deleteRepo finds them). */
const REPOS = 'REPOS';
const TOKENS = 'TOKENS';
const uploadsOf = (repo: string) => `UPLOADS#${repo}`;
/** API tokens share one gsi1 partition; master tokens are listed per repository, read tokens per master. */
const tokenList = (t: TokenRecord) => (t.kind === 'read' ? `READS#${t.parentId}` : t.kind === 'master' ? `MASTERS#${t.repo}` : TOKENS);
const configPk = (name: string) => `CONFIG#${name}`;
const tokenTtl = (t: TokenRecord) => (t.expiresAt ? { ttl: Math.floor(Date.parse(t.expiresAt) / 1000) + 86400 } : {});
const userPk = (name: string) => `USER#${name}`;
const USERS = 'USERS';
const collabSk = (user: string) => `COLLAB#${user}`;
const oidcSk = (id: string) => `OIDC#${id}`;
/** Audit events outlive their repository, so they are not kept under REPO#. */
const auditPk = (repo: string) => `AUDIT#${repo}`;

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
/** Concurrent commits to one repository all update its META item; DynamoDB cancels the losers. */
const TRANSACTION_ATTEMPTS = 6;
const BATCH_WRITE_MAX = 25;

function fromItem<T>(item: Item): T {
  const record: Item = { ...item };
  for (const k of KEY_ATTRIBUTES) delete record[k];
  // Items are written only by this adapter, from records of this type.
  return record as T;
}

/** The repository a stored item holds, if it holds one (also how table stream images are decoded). */
export const repoFromItem = (item: Item): RepoRecord | undefined => (item.entity === 'repo' ? fromItem<RepoRecord>(item) : undefined);
/** The token a stored item holds, if it holds one. */
export const tokenFromItem = (item: Item): TokenRecord | undefined => (item.entity === 'token' ? fromItem<TokenRecord>(item) : undefined);
export const userFromItem = (item: Item): UserRecord | undefined => (item.entity === 'user' ? fromItem<UserRecord>(item) : undefined);
export const collaboratorFromItem = (item: Item): CollaboratorRecord | undefined =>
  item.entity === 'collaborator' ? fromItem<CollaboratorRecord>(item) : undefined;
/** The name of the config item a stored item is, if it is one. */
export const configNameOfItem = (item: Item): string | undefined =>
  item.entity === 'config' && typeof item.pk === 'string' ? item.pk.slice('CONFIG#'.length) : undefined;

const encodeCursor = (sk: string) => Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');

function decodeCursor(cursor: string, skPrefix: string): string {
  try {
    const { sk } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sk?: unknown };
    if (typeof sk === 'string' && sk.startsWith(skPrefix)) return sk;
  } catch {
    // fall through: any malformed cursor gets the same answer
  }
  throw badRequest(Codes.INVALID_REQUEST, 'the cursor is not valid for this listing');
}

const pageSize = (limit: number | undefined) =>
  limit === undefined || !Number.isFinite(limit) ? DEFAULT_PAGE : Math.min(MAX_PAGE, Math.max(1, Math.floor(limit)));

const cancellationCodes = (e: unknown): (string | undefined)[] =>
  ((e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((r) => r.Code);

const packageIdentity = (p: PackageRecord) => `${p.name} ${p.version} ${p.arch}`.trim();

/**
 * MetadataStore on one DynamoDB table (key schema: TABLE in shared/config.ts). The document client must be
 * created with `marshallOptions.removeUndefinedValues: true`, as records have optional fields.
 */
export class DynamoMetadataStore implements MetadataStore {
  static readonly packageSortKey = packageSortKey;
  static readonly packageId = packageId;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createRepo(repo: RepoRecord, key: StoredSigningKey): Promise<void> {
    if (key.repo !== repo.name) throw internal('SIGNING_KEY_MISMATCH', `the signing key belongs to ${key.repo}, not ${repo.name}`);
    try {
      await this.transact('createRepo', [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...repo, pk: repoPk(repo.name), sk: META, gsi1pk: REPOS, gsi1sk: repo.name, entity: 'repo' },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Put: { TableName: this.tableName, Item: this.keyItem(key) } },
      ]);
    } catch (e) {
      if (cancellationCodes(e)[0] === 'ConditionalCheckFailed') throw conflict(Codes.REPO_EXISTS, `repository ${repo.name} already exists`);
      throw unexpectedSdkError('DYNAMODB', 'createRepo', e);
    }
  }

  async getRepo(name: string): Promise<RepoRecord | undefined> {
    return this.get<RepoRecord>('getRepo', repoPk(name), META);
  }

  async updateRepo(name: string, changes: Partial<Pick<RepoRecord, 'visibility' | 'description'>>): Promise<RepoRecord> {
    const fields = (['visibility', 'description'] as const).filter((f) => changes[f] !== undefined);
    if (fields.length === 0) {
      const repo = await this.getRepo(name);
      if (!repo) throw notFound(Codes.REPO_NOT_FOUND, `repository ${name} does not exist`);
      return repo;
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: repoPk(name), sk: META },
          UpdateExpression: 'SET ' + fields.map((f) => `#${f} = :${f}`).join(', '),
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.fromEntries(fields.map((f) => [`#${f}`, f])),
          ExpressionAttributeValues: Object.fromEntries(fields.map((f) => [`:${f}`, changes[f]])),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem<RepoRecord>(out.Attributes ?? {});
    } catch (e) {
      if (sdkErrorName(e) === 'ConditionalCheckFailedException') throw notFound(Codes.REPO_NOT_FOUND, `repository ${name} does not exist`);
      throw unexpectedSdkError('DYNAMODB', 'updateRepo', e);
    }
  }

  async listRepos(owner?: string): Promise<RepoRecord[]> {
    const prefix = owner ? `${owner.replace(/\/+$/, '')}/` : undefined;
    return this.queryAll<RepoRecord>('listRepos', {
      IndexName: 'gsi1',
      KeyConditionExpression: prefix ? 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)' : 'gsi1pk = :pk',
      ExpressionAttributeValues: prefix ? { ':pk': REPOS, ':prefix': prefix } : { ':pk': REPOS },
    });
  }

  async deleteRepo(name: string): Promise<void> {
    const keyOnly = { ProjectionExpression: 'pk, sk' };
    const children = await this.queryAll<{ pk: string; sk: string }>(
      'deleteRepo',
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': repoPk(name) }, ...keyOnly },
      false,
    );
    const uploads = await this.queryAll<{ pk: string; sk: string }>(
      'deleteRepo',
      { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': uploadsOf(name) }, ...keyOnly },
      false,
    );
    // The repository item goes last: until then a failed delete is visible and can simply be repeated.
    const keys = [...children.filter((k) => k.sk !== META), ...uploads].map(({ pk, sk }) => ({ pk, sk }));
    await this.batchDelete(keys);
    await this.batchDelete(children.filter((k) => k.sk === META).map(({ pk, sk }) => ({ pk, sk })));
  }

  async getSigningKey(repo: string, kind: string): Promise<StoredSigningKey | undefined> {
    return this.get<StoredSigningKey>('getSigningKey', repoPk(repo), `KEY#${kind}`);
  }

  async replaceSigningKey(current: StoredSigningKey, expectedFingerprint: string, previous: StoredSigningKey | null, previousKind: string): Promise<void> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: this.keyItem(current),
          ConditionExpression: 'fingerprint = :expected',
          ExpressionAttributeValues: { ':expected': expectedFingerprint },
        },
      },
      previous
        ? { Put: { TableName: this.tableName, Item: this.keyItem({ ...previous, kind: previousKind }) } }
        : { Delete: { TableName: this.tableName, Key: { pk: repoPk(current.repo), sk: `KEY#${previousKind}` } } },
      {
        Update: {
          TableName: this.tableName,
          Key: { pk: repoPk(current.repo), sk: META },
          UpdateExpression: 'SET signingKeyFingerprint = :fp, signingKeyType = :type',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':fp': current.fingerprint, ':type': current.algorithm },
        },
      },
    ];
    try {
      await this.transact('replaceSigningKey', items);
    } catch (e) {
      const [keyCode, , repoCode] = cancellationCodes(e);
      if (repoCode === 'ConditionalCheckFailed') throw notFound(Codes.REPO_NOT_FOUND, `repository ${current.repo} does not exist`);
      if (keyCode === 'ConditionalCheckFailed') {
        throw conflict('SIGNING_KEY_CHANGED', `the signing key of ${current.repo} changed meanwhile; read it again and retry`);
      }
      throw unexpectedSdkError('DYNAMODB', 'replaceSigningKey', e);
    }
  }

  async putSigningKey(key: StoredSigningKey): Promise<StoredSigningKey> {
    try {
      await this.transact('putSigningKey', [
        { Put: { TableName: this.tableName, Item: this.keyItem(key), ConditionExpression: 'attribute_not_exists(sk)' } },
        // A key must not outlive (or precede) its repository.
        { ConditionCheck: { TableName: this.tableName, Key: { pk: repoPk(key.repo), sk: META }, ConditionExpression: 'attribute_exists(pk)' } },
      ]);
      return key;
    } catch (e) {
      const [keyCode, repoCode] = cancellationCodes(e);
      if (repoCode === 'ConditionalCheckFailed') throw notFound(Codes.REPO_NOT_FOUND, `repository ${key.repo} does not exist`);
      if (keyCode === 'ConditionalCheckFailed') {
        const winner = await this.getSigningKey(key.repo, key.kind);
        if (winner) return winner;
      }
      throw unexpectedSdkError('DYNAMODB', 'putSigningKey', e);
    }
  }

  async commitPackage(pkg: PackageRecord, upload?: UploadRecord): Promise<void> {
    const sk = packageSortKey(pkg.format, pkg.scope, pkg.name, pkg.version, pkg.arch);
    if (pkg.id !== packageId(pkg.format, pkg.scope, pkg.name, pkg.version, pkg.arch)) {
      throw internal('PACKAGE_ID_MISMATCH', `package id ${pkg.id} does not match its identity ${sk}`);
    }
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...pkg, pk: repoPk(pkg.repo), sk, entity: 'package' },
          ConditionExpression: 'attribute_not_exists(sk)',
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: { pk: repoPk(pkg.repo), sk: META },
          UpdateExpression: 'ADD packageCount :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
    ];
    if (upload) items.push({ Put: { TableName: this.tableName, Item: this.uploadItem(upload) } });
    try {
      await this.transact('commitPackage', items);
    } catch (e) {
      const [pkgCode, repoCode] = cancellationCodes(e);
      if (repoCode === 'ConditionalCheckFailed') throw notFound(Codes.REPO_NOT_FOUND, `repository ${pkg.repo} does not exist`);
      if (pkgCode === 'ConditionalCheckFailed') {
        throw conflict(Codes.PACKAGE_EXISTS, `${packageIdentity(pkg)} already exists in ${pkg.repo} ${pkg.scope}`, { id: pkg.id });
      }
      throw unexpectedSdkError('DYNAMODB', 'commitPackage', e);
    }
  }

  async getPackage(repo: string, id: string): Promise<PackageRecord | undefined> {
    const sk = sortKeyFromPackageId(id);
    return sk ? this.get<PackageRecord>('getPackage', repoPk(repo), sk) : undefined;
  }

  async listPackages(repo: string, opts: { format?: string; cursor?: string; limit?: number } = {}): Promise<Page<PackageRecord>> {
    const prefix = opts.format ? `PKG#${opts.format}#` : 'PKG#';
    const start = opts.cursor ? decodeCursor(opts.cursor, prefix) : undefined;
    try {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': repoPk(repo), ':prefix': prefix },
          ExclusiveStartKey: start ? { pk: repoPk(repo), sk: start } : undefined,
          Limit: pageSize(opts.limit),
        }),
      );
      const last = out.LastEvaluatedKey?.sk;
      return {
        items: (out.Items ?? []).map((i) => fromItem<PackageRecord>(i)),
        ...(typeof last === 'string' ? { next: encodeCursor(last) } : {}),
      };
    } catch (e) {
      throw unexpectedSdkError('DYNAMODB', 'listPackages', e);
    }
  }

  async listScope(repo: string, format: string, scope: string): Promise<PackageRecord[]> {
    return this.queryAll<PackageRecord>('listScope', {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': repoPk(repo), ':prefix': `PKG#${format}#${scope}#` },
    });
  }

  async listFormat(repo: string, format: string): Promise<PackageRecord[]> {
    return this.queryAll<PackageRecord>('listFormat', {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': repoPk(repo), ':prefix': `PKG#${format}#` },
    });
  }

  async updatePackage(repo: string, id: string, changes: PackageChanges): Promise<PackageRecord> {
    const sk = sortKeyFromPackageId(id);
    if (!sk) throw notFound(Codes.PACKAGE_NOT_FOUND, `package ${id} does not exist in ${repo}`);
    const set: string[] = [];
    const remove: string[] = [];
    const values: Record<string, unknown> = {};
    const names: Record<string, string> = {};
    for (const field of ['yanked', 'deprecated'] as const) {
      if (!(field in changes)) continue;
      names[`#${field}`] = field;
      const v = changes[field];
      if (v === null || v === undefined) remove.push(`#${field}`);
      else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = v;
      }
    }
    if (!set.length && !remove.length) {
      const current = await this.getPackage(repo, id);
      if (!current) throw notFound(Codes.PACKAGE_NOT_FOUND, `package ${id} does not exist in ${repo}`);
      return current;
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: repoPk(repo), sk },
          UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : ''].join(' ').trim(),
          ConditionExpression: 'attribute_exists(sk)',
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem<PackageRecord>(out.Attributes ?? {});
    } catch (e) {
      if (sdkErrorName(e) === 'ConditionalCheckFailedException') throw notFound(Codes.PACKAGE_NOT_FOUND, `package ${id} does not exist in ${repo}`);
      throw unexpectedSdkError('DYNAMODB', 'updatePackage', e);
    }
  }

  async getAttributes(repo: string, format: string, scope: string): Promise<Record<string, string>> {
    const item = await this.get<{ attributes?: Record<string, string> }>('getAttributes', repoPk(repo), attributesSk(format, scope));
    return item?.attributes ?? {};
  }

  async putAttributes(repo: string, format: string, scope: string, attributes: Record<string, string>): Promise<void> {
    await this.put('putAttributes', { pk: repoPk(repo), sk: attributesSk(format, scope), entity: 'attributes', repo, format, scope, attributes });
  }

  async putUpload(upload: UploadRecord): Promise<void> {
    await this.put('putUpload', this.uploadItem(upload));
  }

  async getUpload(repo: string, id: string): Promise<UploadRecord | undefined> {
    const upload = await this.findUpload(id);
    return upload?.repo === repo ? upload : undefined;
  }

  async findUpload(id: string): Promise<UploadRecord | undefined> {
    return this.get<UploadRecord>('findUpload', uploadPk(id), META);
  }

  async putToken(token: TokenRecord): Promise<void> {
    try {
      await this.transact('putToken', [
        {
          Put: {
            TableName: this.tableName,
            // Expired tokens (OIDC exchanges) are removed by DynamoDB's TTL a day after they stop working.
            Item: { ...token, pk: tokenPk(token.hash), sk: META, gsi1pk: tokenList(token), gsi1sk: token.id, entity: 'token', ...tokenTtl(token) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          // Lets revokeToken find the token by its public id without a scan.
          Put: {
            TableName: this.tableName,
            Item: { pk: tokenIdPk(token.id), sk: META, hash: token.hash, entity: 'token-id' },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]);
    } catch (e) {
      if (cancellationCodes(e).includes('ConditionalCheckFailed')) throw conflict('TOKEN_EXISTS', `token ${token.id} already exists`);
      throw unexpectedSdkError('DYNAMODB', 'putToken', e);
    }
  }

  async getTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return this.get<TokenRecord>('getTokenByHash', tokenPk(hash), META);
  }

  async listTokens(user?: string): Promise<TokenRecord[]> {
    return this.queryAll<TokenRecord>('listTokens', {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ...(user !== undefined
        ? { FilterExpression: '#user = :user', ExpressionAttributeNames: { '#user': 'user' }, ExpressionAttributeValues: { ':pk': TOKENS, ':user': user } }
        : { ExpressionAttributeValues: { ':pk': TOKENS } }),
    });
  }

  async revokeToken(id: string): Promise<void> {
    const pointer = await this.get<{ hash: string }>('revokeToken', tokenIdPk(id), META);
    const missing = () => notFound(Codes.TOKEN_NOT_FOUND, `token ${id} does not exist`);
    if (!pointer) throw missing();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: tokenPk(pointer.hash), sk: META },
          UpdateExpression: 'SET revoked = :true',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    } catch (e) {
      if (sdkErrorName(e) === 'ConditionalCheckFailedException') throw missing();
      throw unexpectedSdkError('DYNAMODB', 'revokeToken', e);
    }
  }

  async getTokenById(id: string): Promise<TokenRecord | undefined> {
    const pointer = await this.get<{ hash: string }>('getTokenById', tokenIdPk(id), META);
    return pointer ? this.getTokenByHash(pointer.hash) : undefined;
  }

  async listMasterTokens(repo: string): Promise<TokenRecord[]> {
    return this.queryAll<TokenRecord>('listMasterTokens', {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `MASTERS#${repo}` },
    });
  }

  async listReadTokens(masterId: string): Promise<TokenRecord[]> {
    return this.queryAll<TokenRecord>('listReadTokens', {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `READS#${masterId}` },
    });
  }

  async getConfig(name: string): Promise<Record<string, string> | undefined> {
    const item = await this.get<{ value: Record<string, string> }>('getConfig', configPk(name), META);
    return item?.value;
  }

  async putConfigIfAbsent(name: string, value: Record<string, string>): Promise<Record<string, string>> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: { pk: configPk(name), sk: META, value, entity: 'config' }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return value;
    } catch (e) {
      if (sdkErrorName(e) !== 'ConditionalCheckFailedException') throw unexpectedSdkError('DYNAMODB', 'putConfigIfAbsent', e);
      const winner = await this.getConfig(name);
      if (!winner) throw internal('DYNAMODB_ERROR', `config ${name} vanished`);
      return winner;
    }
  }

  async createUser(user: UserRecord): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...user, pk: userPk(user.name), sk: META, gsi1pk: USERS, gsi1sk: user.name, entity: 'user' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (sdkErrorName(e) === 'ConditionalCheckFailedException') throw conflict('USER_EXISTS', `user ${user.name} already exists`);
      throw unexpectedSdkError('DYNAMODB', 'createUser', e);
    }
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    return this.get<UserRecord>('getUser', userPk(name), META);
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.queryAll<UserRecord>('listUsers', { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': USERS } });
  }

  async putCollaborator(c: CollaboratorRecord): Promise<void> {
    await this.put('putCollaborator', { ...c, pk: repoPk(c.repo), sk: collabSk(c.user), entity: 'collaborator' });
  }

  async getCollaborator(repo: string, user: string): Promise<CollaboratorRecord | undefined> {
    return this.get<CollaboratorRecord>('getCollaborator', repoPk(repo), collabSk(user));
  }

  async listCollaborators(repo: string): Promise<CollaboratorRecord[]> {
    return this.queryAll<CollaboratorRecord>('listCollaborators', {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': repoPk(repo), ':prefix': 'COLLAB#' },
    });
  }

  async deleteCollaborator(repo: string, user: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({ TableName: this.tableName, Key: { pk: repoPk(repo), sk: collabSk(user) }, ConditionExpression: 'attribute_exists(pk)' }),
      );
    } catch (e) {
      if (sdkErrorName(e) === 'ConditionalCheckFailedException') throw notFound('COLLABORATOR_NOT_FOUND', `${user} is not a collaborator on ${repo}`);
      throw unexpectedSdkError('DYNAMODB', 'deleteCollaborator', e);
    }
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    await this.put('appendAudit', { ...event, pk: auditPk(event.repo), sk: `${event.time}#${event.id}`, entity: 'audit' });
  }

  async listAudit(repo: string, opts: { cursor?: string; limit?: number } = {}): Promise<Page<AuditEvent>> {
    const start = opts.cursor ? decodeCursor(opts.cursor, '') : undefined;
    try {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': auditPk(repo) },
          ExclusiveStartKey: start ? { pk: auditPk(repo), sk: start } : undefined,
          ScanIndexForward: false,
          Limit: pageSize(opts.limit),
        }),
      );
      const last = out.LastEvaluatedKey?.sk;
      return { items: (out.Items ?? []).map((i) => fromItem<AuditEvent>(i)), ...(typeof last === 'string' ? { next: encodeCursor(last) } : {}) };
    } catch (e) {
      throw unexpectedSdkError('DYNAMODB', 'listAudit', e);
    }
  }

  async putTrustPolicy(policy: TrustPolicy): Promise<void> {
    try {
      await this.transact('putTrustPolicy', [
        // The repository must still exist, or a policy could outlive it and apply to a namesake.
        { ConditionCheck: { TableName: this.tableName, Key: { pk: repoPk(policy.repo), sk: META }, ConditionExpression: 'attribute_exists(pk)' } },
        {
          Put: {
            TableName: this.tableName,
            Item: { ...policy, pk: repoPk(policy.repo), sk: oidcSk(policy.id), entity: 'oidc-policy' },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]);
    } catch (e) {
      const [repoCode, policyCode] = cancellationCodes(e);
      if (repoCode === 'ConditionalCheckFailed') throw notFound(Codes.REPO_NOT_FOUND, `repository ${policy.repo} does not exist`);
      if (policyCode === 'ConditionalCheckFailed') throw conflict('OIDC_POLICY_EXISTS', `trust policy ${policy.id} already exists`);
      throw unexpectedSdkError('DYNAMODB', 'putTrustPolicy', e);
    }
  }

  async listTrustPolicies(repo: string): Promise<TrustPolicy[]> {
    return this.queryAll<TrustPolicy>('listTrustPolicies', {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': repoPk(repo), ':prefix': oidcSk('') },
    });
  }

  async deleteTrustPolicy(repo: string, id: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({ TableName: this.tableName, Key: { pk: repoPk(repo), sk: oidcSk(id) }, ConditionExpression: 'attribute_exists(pk)' }),
      );
    } catch (e) {
      if (sdkErrorName(e) === 'ConditionalCheckFailedException') throw notFound(OidcCodes.POLICY_NOT_FOUND, `${repo} has no trust policy ${id}`);
      throw unexpectedSdkError('DYNAMODB', 'deleteTrustPolicy', e);
    }
  }

  async getScopeState(repo: string, format: string, scope: string): Promise<ScopeState | undefined> {
    return this.get<ScopeState>('getScopeState', repoPk(repo), scopeSk(format, scope));
  }

  async listScopeStates(repo: string): Promise<ScopeState[]> {
    return this.queryAll<ScopeState>('listScopeStates', {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': repoPk(repo), ':prefix': 'SCOPE#' },
    });
  }

  async putScopeState(state: ScopeState): Promise<void> {
    await this.put('putScopeState', { ...state, pk: repoPk(state.repo), sk: scopeSk(state.format, state.scope), entity: 'scope' });
  }

  private keyItem(key: StoredSigningKey): Item {
    return { ...key, pk: repoPk(key.repo), sk: `KEY#${key.kind}`, entity: 'signing-key' };
  }

  private uploadItem(upload: UploadRecord): Item {
    return { ...upload, pk: uploadPk(upload.id), sk: META, gsi1pk: uploadsOf(upload.repo), gsi1sk: upload.id, ttl: upload.expiresAt, entity: 'upload' };
  }

  private async get<T>(op: string, pk: string, sk: string): Promise<T | undefined> {
    try {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk } }));
      return out.Item ? fromItem<T>(out.Item) : undefined;
    } catch (e) {
      throw unexpectedSdkError('DYNAMODB', op, e);
    }
  }

  private async put(op: string, item: Item): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item }));
    } catch (e) {
      throw unexpectedSdkError('DYNAMODB', op, e);
    }
  }

  /** Every page of a query; `strip` false keeps the key attributes (for deletes). */
  private async queryAll<T>(op: string, input: Omit<QueryCommandInput, 'TableName'>, strip = true): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const out = await this.doc.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }));
        for (const i of out.Items ?? []) items.push(strip ? fromItem<T>(i) : (i as T));
        start = out.LastEvaluatedKey;
      } while (start);
    } catch (e) {
      throw unexpectedSdkError('DYNAMODB', op, e);
    }
    return items;
  }

  /**
   * One TransactWriteItems, repeated when DynamoDB cancels it only because another transaction held an
   * item (nothing was written then). A condition failure is rethrown as is, for the caller to name.
   */
  private async transact(op: string, items: TransactItem[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (e) {
        if (sdkErrorName(e) !== 'TransactionCanceledException') throw unexpectedSdkError('DYNAMODB', op, e);
        const codes = cancellationCodes(e);
        if (codes.includes('ConditionalCheckFailed')) throw e;
        if (!codes.includes('TransactionConflict')) throw unexpectedSdkError('DYNAMODB', op, e);
        if (attempt >= TRANSACTION_ATTEMPTS) {
          const busy = new PackyardError(503, 'DYNAMODB_UNAVAILABLE', `${op}: the items stayed busy with other transactions`);
          busy.cause = e;
          throw busy;
        }
        await sleep(Math.random() * 25 * 2 ** attempt);
      }
    }
  }

  private async batchDelete(keys: { pk: string; sk: string }[]): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH_WRITE_MAX) {
      let requests = keys.slice(i, i + BATCH_WRITE_MAX).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        try {
          const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
          requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        } catch (e) {
          throw unexpectedSdkError('DYNAMODB', 'deleteRepo', e);
        }
        if (requests.length > 0) {
          if (attempt >= 8) throw new PackyardError(503, 'DYNAMODB_UNAVAILABLE', 'deleteRepo: DynamoDB kept items unprocessed');
          await sleep(Math.random() * 25 * 2 ** attempt);
        }
      }
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Compile-time conformance, aptly-style: this adapter is a MetadataStore.
const _conformance: (doc: DynamoDBDocumentClient, table: string) => MetadataStore = (doc, table) => new DynamoMetadataStore(doc, table);
void _conformance;
