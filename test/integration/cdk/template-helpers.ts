import fs from 'node:fs';
import path from 'node:path';

// Template JSON is untyped CloudFormation; tests index into it freely.
export type Resource = { Type: string; Properties: any; DeletionPolicy?: string };
export type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: unknown };

/** The context (feature flags) `cdk synth` gets from cdk.json, so tests see the template the CLI would. */
export function cdkContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/** Every policy statement in the template: IAM policies, inline role policies, trust, bucket, queue, topic and key policies. */
export function policyStatements(resources: Record<string, Resource>): Statement[] {
  const out: Statement[] = [];
  for (const r of Object.values(resources)) {
    const p = r.Properties ?? {};
    const docs = [p.PolicyDocument, p.KeyPolicy, p.AssumeRolePolicyDocument, ...(p.Policies ?? []).map((x: { PolicyDocument: unknown }) => x.PolicyDocument)];
    for (const d of docs) if (d && Array.isArray(d.Statement)) out.push(...d.Statement);
  }
  return out;
}
