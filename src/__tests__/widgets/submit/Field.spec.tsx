import React from 'react';

import { Checkbox, Field, TextField } from '../../../widgets/submit/Field';
import { alerts, change, click, renderElement } from './render';

describe('Field', () => {
  it('labels its input and shows the error and hint of its field', async () => {
    const view = await renderElement(
      <Field
        label="CPUs"
        field="trainingInput.cpu"
        errors={{ 'trainingInput.cpu': 'Enter a number.', other: 'x' }}
        hint="At most 64."
      >
        <input name="cpu" />
      </Field>
    );
    const label = view.node.querySelector('label')!;
    expect(label.dataset.field).toBe('trainingInput.cpu');
    expect(label.classList).toContain('jp-laketahoe-mod-invalid');
    expect(
      label.querySelector('.jp-laketahoe-SubmitForm-label')?.textContent
    ).toBe('CPUs');
    expect(label.contains(view.named('cpu'))).toBe(true);
    expect(alerts(label)).toEqual(['Enter a number.']);
    expect(
      label.querySelector('.jp-laketahoe-SubmitForm-hint')?.textContent
    ).toBe('At most 64.');
    view.unmount();
  });

  it('is plain without an error or hint', async () => {
    const view = await renderElement(
      <Field label="Job ID" field="jobId" errors={{}}>
        <input name="jobId" />
      </Field>
    );
    const label = view.node.querySelector('label')!;
    expect(label.classList).not.toContain('jp-laketahoe-mod-invalid');
    expect(alerts(label)).toEqual([]);
    expect(label.querySelector('.jp-laketahoe-SubmitForm-hint')).toBeNull();
    view.unmount();
  });
});

describe('Checkbox', () => {
  it('reports the new state when clicked', async () => {
    const seen: boolean[] = [];
    const view = await renderElement(
      <Checkbox name="flag" checked={false} onChange={c => seen.push(c)}>
        Flag
      </Checkbox>
    );
    expect(view.node.textContent).toBe('Flag');
    await click(view.named('flag'));
    expect(seen).toEqual([true]);
    view.unmount();
  });
});

describe('TextField', () => {
  it('is a Field around one styled input that reports typed text', async () => {
    const typed: string[] = [];
    const view = await renderElement(
      <TextField
        label="Job ID"
        field="jobId"
        errors={{ jobId: 'already exists' }}
        className="jp-laketahoe-SubmitForm-jobId"
        name="jobId"
        value="train_1"
        maxLength={128}
        spellCheck={false}
        onChange={value => typed.push(value)}
      />
    );
    const input = view.named('jobId')!;
    expect(input.className).toBe('jp-mod-styled jp-laketahoe-SubmitForm-jobId');
    expect(input.value).toBe('train_1');
    expect(input.maxLength).toBe(128);
    expect(input.getAttribute('spellcheck')).toBe('false');
    expect(input.hasAttribute('inputmode')).toBe(false);
    expect(alerts(view.node.querySelector('[data-field="jobId"]'))).toEqual([
      'already exists'
    ]);
    await change(input, 'train_2');
    expect(typed).toEqual(['train_2']);
    view.unmount();
  });
});
