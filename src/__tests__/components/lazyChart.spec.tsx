import { ReactWidget } from '@jupyterlab/apputils';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import React, { act } from 'react';

import { useLazyChart } from '../../components/charts/lazyChart';

(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

/** A ResizeObserver the test calls by hand. */
const observers: (() => void)[] = [];
(globalThis as { ResizeObserver?: unknown }).ResizeObserver = class {
  constructor(callback: () => void) {
    observers.push(callback);
  }
  observe(): void {}
  disconnect(): void {}
};

describe('useLazyChart', () => {
  it('redraws at a new width only, not on the first call at the width drawn at', async () => {
    const widths: number[] = [];
    const created: number[] = [];
    let clientWidth = 500;
    function Chart(): JSX.Element {
      const { host } = useLazyChart(
        async () => (element, width) => {
          Object.defineProperty(element, 'clientWidth', {
            get: () => clientWidth
          });
          created.push(width);
          return { setWidth: w => widths.push(w), destroy: () => undefined };
        },
        240,
        []
      );
      return <div ref={host} />;
    }
    const widget = ReactWidget.create(<Chart />);
    await act(async () => {
      Widget.attach(widget, document.body);
      MessageLoop.sendMessage(widget, Widget.Msg.UpdateRequest);
    });
    for (let i = 0; i < 200 && created.length === 0; i++) {
      await act(() => new Promise(resolve => setTimeout(resolve, 10)));
    }
    // Drawn at the minimum (jsdom lays nothing out), then the observer's
    // first call at the real width redraws once; the same width again does not.
    expect(created).toEqual([240]);
    observers.forEach(call => call());
    observers.forEach(call => call());
    expect(widths).toEqual([500]);
    clientWidth = 420;
    observers.forEach(call => call());
    expect(widths).toEqual([500, 420]);
    await act(async () => widget.dispose());
  });
});
