/**
 * Turns for the trials plots: each waiting plot computes its data and draws
 * in a task of its own, in the order they asked. At 10,000 trials one plot
 * takes 20-80 ms; all of them in one task froze the view for 200-600 ms on
 * opening and on every redraw.
 */

const waiting: (() => void)[] = [];
let scheduled = false;

/** Resolves in a task of its own, after the turns asked for before it. */
export function plotTurn(): Promise<void> {
  return new Promise(resolve => {
    waiting.push(resolve);
    schedule();
  });
}

function schedule(): void {
  if (scheduled || waiting.length === 0) {
    return;
  }
  scheduled = true;
  setTimeout(() => {
    scheduled = false;
    // What awaits the turn runs in this task's microtasks, before the next.
    waiting.shift()?.();
    schedule();
  }, 0);
}
