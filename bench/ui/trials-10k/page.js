/**
 * Measurements run inside the page (installed with addInitScript): long tasks, frames, and the
 * trials view's model reached through JupyterLab's shell.
 */
(() => {
  const longTasks = [];
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      longTasks.push({ start: entry.startTime, duration: entry.duration });
    }
  }).observe({ type: 'longtask', buffered: true });

  /** Resolves after the next frame was painted (a rAF, then a task after it). */
  const painted = () => new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));

  /**
   * Milliseconds from `t0` until the main thread is quiet again: the time of the last frame that came
   * late (over 50 ms after the one before, a long task between), once 250 ms of frames followed it
   * without one. Gives up 10 s after `t0` (a busy machine), returning what it saw so far.
   */
  const settle = async t0 => {
    let last = performance.now();
    let busyUntil = last;
    while (performance.now() - busyUntil < 250 && performance.now() - t0 < 10000) {
      const now = await new Promise(resolve => requestAnimationFrame(resolve));
      if (now - last > 50) {
        busyUntil = now;
      }
      last = now;
    }
    return busyUntil - t0;
  };

  /** Long tasks that started after `since`. */
  const tasksSince = since => longTasks.filter(t => t.start >= since);

  /** The MainAreaWidget content of a job's trials view. */
  const trialsView = jobId => {
    for (const widget of window.jupyterapp.shell.widgets('main')) {
      const content = widget.content;
      if (content && content.model && content.model.jobId === jobId && content.grid) {
        return content;
      }
    }
    return null;
  };

  const until = async (check, timeoutMs = 60000) => {
    const start = performance.now();
    while (!check()) {
      if (performance.now() - start > timeoutMs) {
        throw new Error('timed out waiting in the page');
      }
      await new Promise(resolve => requestAnimationFrame(resolve));
    }
  };

  window.__bench = {
    longTasks,
    painted,
    settle,
    tasksSince,
    trialsView,
    until,

    /**
     * Opens the trials view: command to grid rows and every plot drawn with every trial (the model's
     * version once loaded, where plots say which version they drew), then a painted frame; also when the
     * grid first showed rows (`firstRowsMs`).
     */
    async open(jobId, rows) {
      const t0 = performance.now();
      let firstRowsMs = null;
      void window.jupyterapp.commands.execute('laketahoe:open-trials', { jobId });
      await until(() => {
        const view = trialsView(jobId);
        if (view && firstRowsMs === null && Number(view.grid.node.dataset.rows) > 0) {
          firstRowsMs = performance.now() - t0;
        }
        if (!view || view.grid.node.dataset.rows !== String(rows)) {
          return false;
        }
        const figures = view.node.querySelectorAll('.jp-laketahoe-TrialsPlot:not([data-plot="importance"])');
        const current = f => !f.hasAttribute('data-version') || (!view.model.loading && f.dataset.version === String(view.model.version));
        return figures.length > 0 && [...figures].every(f => f.querySelector('canvas') && current(f));
      });
      await painted();
      const ms = Math.max(performance.now() - t0, await settle(t0));
      return { ms, firstRowsMs, longTasks: tasksSince(t0) };
    },

    /** Listens for the next user event of a type; {@link afterEvent} then times it. */
    expect(type) {
      window.__benchEvent = new Promise(resolve =>
        window.addEventListener(type, event => resolve(event.timeStamp), { capture: true, once: true })
      );
    },

    /** Time from the expected user event (its timeStamp) to the main thread being quiet again. */
    async afterEvent() {
      const stamp = await window.__benchEvent;
      await painted();
      const ms = Math.max(performance.now() - stamp, await settle(stamp));
      return { ms, longTasks: tasksSince(stamp) };
    },

    /** Time from a call to the main thread being quiet again. */
    async timed(fn) {
      await settle(performance.now());
      const t0 = performance.now();
      fn();
      await painted();
      const ms = Math.max(performance.now() - t0, await settle(t0));
      return { ms, longTasks: tasksSince(t0) };
    },

    /**
     * Live updates: `count` trials of the job go from RUNNING to SUCCEEDED, one every `everyMs`, as the
     * model receives them from trial events. Returns long tasks and the busiest frame gap.
     */
    async live(jobId, count, everyMs) {
      const view = trialsView(jobId);
      const model = view.model;
      const base = model.trials.slice(-count);
      // They start as running, like the latest trials of a search...
      model.applyTrials(base.map(t => ({ ...t, state: 'RUNNING', finalMetric: null, endTime: null, allMetrics: t.allMetrics.slice(0, 2) })));
      await new Promise(resolve => setTimeout(resolve, 1500));
      await painted();
      let worstGap = 0;
      let last = performance.now();
      let frames = 0;
      let running = true;
      const frame = now => {
        worstGap = Math.max(worstGap, now - last);
        last = now;
        frames++;
        if (running) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      const t0 = performance.now();
      // ...and finish one by one, each with its last values.
      for (const trial of base) {
        model.applyTrials([trial]);
        await new Promise(resolve => setTimeout(resolve, everyMs));
      }
      // The throttled redraws end within a second of the last event.
      await new Promise(resolve => setTimeout(resolve, 1200));
      running = false;
      const seconds = (performance.now() - t0) / 1000;
      return { longTasks: tasksSince(t0), worstGap, fps: frames / seconds, seconds };
    }
  };
})();
