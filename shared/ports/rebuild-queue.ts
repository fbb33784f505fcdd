/** One index scope to rebuild. */
export interface RebuildRequest {
  repo: string;
  format: string;
  scope: string;
}

export const rebuildGroupId = (r: RebuildRequest): string => `${r.repo}#${r.format}#${r.scope}`;

/** SQS FIFO in AWS (MessageGroupId = scope), an in-process FIFO locally. */
export interface RebuildQueue {
  enqueue(requests: RebuildRequest[]): Promise<void>;
}
