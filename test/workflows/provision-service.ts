/** A test-only workflow: activates one service with a quick retry policy, as order fulfilment will. */
import { proxyActivities } from '@temporalio/workflow';
import type { ProvisioningInput, ProvisioningResult, createProvisioningActivities } from '../../activities/provisioning';

type ProvisioningActivities = ReturnType<typeof createProvisioningActivities>;

const { activateService } = proxyActivities<ProvisioningActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '50 milliseconds', backoffCoefficient: 1, maximumAttempts: 5 },
});

export async function provisionService(input: ProvisioningInput): Promise<ProvisioningResult> {
  return activateService(input);
}
