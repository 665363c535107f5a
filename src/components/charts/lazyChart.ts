import { DependencyList, RefObject, useEffect, useRef, useState } from 'react';

/** A chart that can be resized and removed. */
export interface IResizableChart {
  /** Fit the chart to a new width. */
  setWidth(width: number): void;
  /** Remove the chart. */
  destroy(): void;
}

/** What {@link useLazyChart} gives its component. */
export interface ILazyChart<C extends IResizableChart> {
  /** Ref of the element the chart is drawn into. */
  host: RefObject<HTMLDivElement>;
  /** The chart, null until loaded and after unmount. */
  chart: RefObject<C | null>;
  /** Whether the chart code failed to load or draw. */
  failed: boolean;
}

/**
 * Draw a chart whose code is loaded on demand, and keep it as wide as its
 * element (at least `minWidth`).
 *
 * `load` should `await import()` the chart module, so that the chart code
 * stays out of the main bundle, and return the function that draws it.
 * The chart is drawn again when `deps` change and destroyed on unmount.
 */
export function useLazyChart<C extends IResizableChart>(
  load: () => Promise<(element: HTMLElement, width: number) => C>,
  minWidth: number,
  deps: DependencyList
): ILazyChart<C> {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<C | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    void (async () => {
      try {
        const create = await load();
        const element = host.current;
        // Unmounted (or redrawn) while the chart code was loading.
        if (cancelled || !element) {
          return;
        }
        let width = Math.max(minWidth, element.clientWidth);
        chart.current = create(element, width);
        observer = new ResizeObserver(() => {
          // The first call comes at once, at the width the chart was drawn
          // at: drawing it again cost a second draw of every chart.
          const next = Math.max(minWidth, element.clientWidth);
          if (next !== width) {
            width = next;
            chart.current?.setWidth(next);
          }
        });
        observer.observe(element);
      } catch {
        setFailed(true);
      }
    })();
    return () => {
      cancelled = true;
      observer?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
    // `deps` are the caller's; `load` reads the latest data through refs.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  return { host, chart, failed };
}
