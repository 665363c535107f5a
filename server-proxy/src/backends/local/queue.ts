import type { Capacity, Resources } from '../../jobs/resources.js';
import type { Allocation, Priority } from '../../schemas/jobs.js';

/** A job waiting for resources. */
export interface QueueItem {
  jobId: string;
  priority: Priority;
  /** Submission order; earlier first within a priority. */
  order: number;
  request: Resources;
}

const RANK: Record<Priority, number> = { high: 0, middle: 1, low: 2 };

/**
 * Hands out CPU, memory and GPU indices on one machine. Waiting jobs are considered high > middle > low,
 * then first-come first-served; every job whose request fits what is free starts, so a small job may
 * pass a large one that has to wait for more resources to be released.
 */
export class ResourceQueue {
  private readonly waiting: QueueItem[] = [];
  private readonly held = new Map<string, Allocation>();

  constructor(private readonly capacity: Capacity) {}

  /** Adds a job to the waiting list (ignored if already waiting or holding resources). */
  enqueue(item: QueueItem): void {
    if (this.held.has(item.jobId) || this.waiting.some(w => w.jobId === item.jobId)) {
      return;
    }
    this.waiting.push(item);
  }

  /** Drops a waiting job; true when it was waiting. */
  remove(jobId: string): boolean {
    const i = this.waiting.findIndex(w => w.jobId === jobId);
    if (i < 0) {
      return false;
    }
    this.waiting.splice(i, 1);
    return true;
  }

  /** Records resources already in use by a job that runs (an adopted runner after a restart). */
  reserve(jobId: string, allocation: Allocation): void {
    this.held.set(jobId, { cpu: allocation.cpu, memoryBytes: allocation.memoryBytes, gpus: [...allocation.gpus] });
  }

  /** Gives a job's resources back. */
  release(jobId: string): void {
    this.held.delete(jobId);
  }

  /** Ids waiting, in the order they would be considered. */
  waitingIds(): string[] {
    return this.sorted().map(w => w.jobId);
  }

  /** What is not handed out. */
  free(): { cpu: number; memoryBytes: number; gpus: number[] } {
    let cpu = this.capacity.cpus;
    let memoryBytes = this.capacity.memoryBytes;
    const used = new Set<number>();
    for (const a of this.held.values()) {
      cpu -= a.cpu;
      memoryBytes -= a.memoryBytes;
      a.gpus.forEach(g => used.add(g));
    }
    return { cpu, memoryBytes, gpus: this.capacity.gpus.map(g => g.index).filter(i => !used.has(i)) };
  }

  /** Takes every waiting job that now fits, in priority order, and allocates its resources. */
  next(): { jobId: string; allocation: Allocation }[] {
    const started: { jobId: string; allocation: Allocation }[] = [];
    for (const item of this.sorted()) {
      const free = this.free();
      // A small epsilon keeps fractional CPU requests (0.5 + 0.5) from failing on float rounding.
      if (item.request.cpu > free.cpu + 1e-9 || item.request.memoryBytes > free.memoryBytes || item.request.gpu > free.gpus.length) {
        continue;
      }
      const allocation: Allocation = {
        cpu: item.request.cpu,
        memoryBytes: item.request.memoryBytes,
        gpus: free.gpus.slice(0, item.request.gpu)
      };
      this.remove(item.jobId);
      this.held.set(item.jobId, allocation);
      started.push({ jobId: item.jobId, allocation });
    }
    return started;
  }

  private sorted(): QueueItem[] {
    return [...this.waiting].sort((a, b) => RANK[a.priority] - RANK[b.priority] || a.order - b.order);
  }
}
