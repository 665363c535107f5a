/** React hooks the views share: re-render on model signals, a ticking clock. */
import { ISignal } from '@lumino/signaling';
import { useEffect, useState } from 'react';

import { Throttle } from './throttle';

/** Re-render whenever any of the signals fires. */
export function useSignals(...signals: ISignal<any, any>[]): void {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion(v => v + 1);
    signals.forEach(signal => signal.connect(bump));
    return () => {
      signals.forEach(signal => signal.disconnect(bump));
    };
    // The signal objects are stable for a model's lifetime.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, signals);
}

/** The current time, updated every second while `active`. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) {
      return;
    }
    // A display clock only; no network traffic depends on it.
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return active ? now : Date.now();
}

/** Re-render when `signal` fires, at most once per `ms`. */
export function useThrottledSignal(
  signal: ISignal<any, any>,
  ms: number
): void {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const throttle = new Throttle(() => setVersion(v => v + 1), ms);
    const bump = () => throttle.invoke();
    signal.connect(bump);
    return () => {
      signal.disconnect(bump);
      throttle.dispose();
    };
  }, [signal, ms]);
}
