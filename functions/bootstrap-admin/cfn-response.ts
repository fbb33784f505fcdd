import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

export interface CfnOutcome {
  status: 'SUCCESS' | 'FAILED';
  physicalResourceId: string;
  reason?: string;
}

/**
 * A Lambda-backed custom resource answers CloudFormation by PUTting its outcome to the presigned
 * ResponseURL; until it does, the stack operation waits (up to an hour).
 */
export async function sendCfnResponse(event: CloudFormationCustomResourceEvent, outcome: CfnOutcome): Promise<void> {
  const body = JSON.stringify({
    Status: outcome.status,
    Reason: outcome.reason ?? outcome.status,
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: {},
  });
  // The URL is presigned for an empty content type.
  const res = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!res.ok) throw new Error(`CloudFormation refused the custom resource response: HTTP ${res.status}`);
}
