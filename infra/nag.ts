import { type IConstruct } from 'constructs';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/** Below this a "reason" is a label, not an explanation a reviewer can check. */
const MIN_REASON_LENGTH = 40;

/**
 * Runs the cdk-nag AwsSolutions pack over everything in `app` when it is synthesised (`cdk synth`, `cdk
 * deploy`): a finding that is not acknowledged stops synthesis. Acknowledgements are also written into the
 * template (`Metadata.cdk_nag`), so the deployed stack carries its own audit trail.
 */
export function addNagChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
}

/**
 * The one way this codebase suppresses a cdk-nag finding: on the construct it concerns (and so its
 * children), with the reason written next to it.
 */
export function acknowledge(scope: IConstruct, ruleId: string, reason: string): void {
  if (reason.length < MIN_REASON_LENGTH) throw new Error(`acknowledging ${ruleId} needs a reason a reviewer can check; got "${reason}"`);
  Validations.of(scope).acknowledge({ id: ruleId, reason });
}
