import { FIELD } from '../../../model/submit';
import { OtherErrors } from '../../../widgets/submit/OtherErrors';
import { renderElement } from './render';
import React from 'react';

describe('OtherErrors', () => {
  it('lists only errors of fields the form has no input for', async () => {
    const view = await renderElement(
      <OtherErrors
        errors={{
          'trainingInput.notebook.path': 'no such notebook',
          '': 'the service is busy',
          [FIELD.jobId]: 'already exists',
          'trainingInput.priority': 'bad',
          [`${FIELD.parameters}.lr`]: 'not a float',
          'trainingInput.hyperparameters.maxTrials': 'too many'
        }}
      />
    );
    expect(
      [...view.node.querySelectorAll('[role="alert"] > div')].map(
        d => d.textContent
      )
    ).toEqual([
      'trainingInput.notebook.path: no such notebook',
      'the service is busy'
    ]);
    view.unmount();
  });

  it('renders nothing when every error has its field', async () => {
    const view = await renderElement(
      <OtherErrors errors={{ [FIELD.jobId]: 'already exists' }} />
    );
    expect(view.node.innerHTML).toBe('');
    view.unmount();
  });
});
