import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { DeploymentState } from '../wire';
import { ColoredStateBadge } from './states';

/** Translated, human label of a deployment state. */
export function deploymentStateLabel(
  state: DeploymentState,
  trans: TranslationBundle
): string {
  switch (state) {
    case 'DEPLOYING':
      return trans.__('Deploying');
    case 'READY':
      return trans.__('Ready');
    case 'UPDATING':
      return trans.__('Updating');
    case 'FAILED':
      return trans.__('Failed');
    case 'DELETING':
      return trans.__('Deleting');
    default:
      return state;
  }
}

/** A colored badge for a deployment state (styled like job states). */
export function DeploymentBadge(props: {
  state: DeploymentState;
  trans: TranslationBundle;
}): JSX.Element {
  const { state, trans } = props;
  return (
    <ColoredStateBadge
      state={state}
      label={deploymentStateLabel(state, trans)}
    />
  );
}
