/** Renders one part of the submit form the way the form does, for the part tests. */
import { ReactWidget } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import React, { act } from 'react';

import { useSignals } from '../../../components/hooks';
import { parseParametersSource } from '../../../model/parameters';
import { SubmitFormModel } from '../../../model/submit';
import { IServiceInfo } from '../../../wire';
import { ISubmitPartProps } from '../../../widgets/submit/props';

// Lets `act` flush renders and effects in this jsdom environment.
(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

/** The translator of the tests: strings as written. */
export const trans = nullTranslator.load('laketahoe');

/** A form model of a notebook whose parameters cell is `source`. */
export function formModel(source = ''): SubmitFormModel {
  const { parameters } = parseParametersSource(source);
  return new SubmitFormModel(
    'nb.ipynb',
    parameters,
    undefined,
    new Date(2026, 10, 29, 1, 1, 5)
  );
}

/** Service info with the given backends; the first is the default. */
export function serviceInfo(
  backends: IServiceInfo['backends'],
  supportsDistributed = false
): IServiceInfo {
  return {
    backend: backends[0].name,
    backends,
    supportsDistributed,
    scaleTiers: {
      BASIC: { cpu: 1, memoryBytes: 2 * 2 ** 30, gpu: 0 },
      BASIC_GPU: { cpu: 4, memoryBytes: 16 * 2 ** 30, gpu: 1 }
    }
  } as unknown as IServiceInfo;
}

/** Keeps a part in step with its model, as SubmitFormView does. */
function Host(props: {
  model: SubmitFormModel;
  part: (props: ISubmitPartProps) => JSX.Element | null;
}): JSX.Element | null {
  useSignals(props.model.changed);
  const Part = props.part;
  return (
    <Part model={props.model} errors={props.model.validate()} trans={trans} />
  );
}

/** A rendered part: its container and a way to find elements by name. */
export interface IRendered {
  node: HTMLElement;
  named<T extends HTMLElement = HTMLInputElement>(name: string): T | null;
  unmount(): void;
}

/** Renders `part` for `model` into the document. */
export function renderPart(
  model: SubmitFormModel,
  part: (props: ISubmitPartProps) => JSX.Element | null
): Promise<IRendered> {
  return renderElement(<Host model={model} part={part} />);
}

/** Renders any element in a ReactWidget attached to the document. */
export async function renderElement(element: JSX.Element): Promise<IRendered> {
  const widget = ReactWidget.create(element);
  await act(async () => {
    Widget.attach(widget, document.body);
    MessageLoop.sendMessage(widget, Widget.Msg.UpdateRequest);
  });
  const node = widget.node;
  return {
    node,
    named: <T extends HTMLElement>(name: string) =>
      node.querySelector<T>(`[name="${name}"]`),
    unmount: () => act(() => widget.dispose())
  };
}

/** Types `value` into an input or picks it in a select, as a user does. */
export async function change(
  element: HTMLInputElement | HTMLSelectElement | null,
  value: string
): Promise<void> {
  if (!element) {
    throw new Error('no such element');
  }
  const proto =
    element instanceof HTMLSelectElement
      ? HTMLSelectElement.prototype
      : HTMLInputElement.prototype;
  await act(async () => {
    Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(element, value);
    element.dispatchEvent(
      new Event(element instanceof HTMLSelectElement ? 'change' : 'input', {
        bubbles: true
      })
    );
  });
}

/** Clicks an element (a checkbox toggles). */
export async function click(element: HTMLElement | null): Promise<void> {
  if (!element) {
    throw new Error('no such element');
  }
  await act(async () => element.click());
}

/** Texts of the error alerts inside `node`. */
export function alerts(node: Element | null | undefined): string[] {
  return [...(node?.querySelectorAll('[role="alert"]') ?? [])].map(
    e => e.textContent ?? ''
  );
}
