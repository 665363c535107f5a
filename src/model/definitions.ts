import { ISignal, Signal } from '@lumino/signaling';

import type { DefinitionsClient } from '../api/definitionsClient';
import { IDefinition, IDefinitionRun, IJob } from '../wire';

/**
 * The caller's job definitions for the sidebar: the list with next run
 * times, the run history of the definitions the user opened, and the actions
 * (run now, pause, resume, delete), each followed by a reload.
 */
export class DefinitionsModel {
  /** Create the model over the API client. */
  constructor(private readonly api: DefinitionsClient) {}

  /** Emitted whenever the list, a history or the loading state changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The definitions, by id. */
  get definitions(): readonly IDefinition[] {
    return this._definitions;
  }

  /** The last load's error message, if it failed. */
  get error(): string | undefined {
    return this._error;
  }

  /** The run history of an opened definition, newest first. */
  runsOf(definitionId: string): readonly IDefinitionRun[] | undefined {
    return this._runs.get(definitionId);
  }

  /** Whether a definition's history is shown. */
  isOpen(definitionId: string): boolean {
    return this._runs.has(definitionId);
  }

  /** Reload the list and every open history. */
  async refresh(): Promise<void> {
    try {
      this._definitions = await this.api.listDefinitions();
      this._error = undefined;
      const known = new Set(this._definitions.map(d => d.definitionId));
      for (const id of [...this._runs.keys()]) {
        if (known.has(id)) {
          this._runs.set(id, await this.api.getDefinitionRuns(id));
        } else {
          this._runs.delete(id);
        }
      }
    } catch (error) {
      this._error = (error as Error).message;
    }
    this._changed.emit();
  }

  /** Show or hide a definition's run history. */
  async toggleRuns(definitionId: string): Promise<void> {
    if (this._runs.has(definitionId)) {
      this._runs.delete(definitionId);
    } else {
      this._runs.set(
        definitionId,
        await this.api.getDefinitionRuns(definitionId)
      );
    }
    this._changed.emit();
  }

  /** Submit a run now; answers its job. */
  async runNow(definitionId: string): Promise<IJob> {
    const job = await this.api.runDefinition(definitionId);
    await this.refresh();
    return job;
  }

  /** Pause or resume a schedule. */
  async setPaused(definitionId: string, paused: boolean): Promise<void> {
    await this.api.setDefinitionPaused(definitionId, paused);
    await this.refresh();
  }

  /** Delete a definition (its jobs stay). */
  async remove(definitionId: string): Promise<void> {
    await this.api.deleteDefinition(definitionId);
    this._runs.delete(definitionId);
    await this.refresh();
  }

  private _definitions: IDefinition[] = [];
  private _runs = new Map<string, IDefinitionRun[]>();
  private _error: string | undefined;
  private _changed = new Signal<this, void>(this);
}

/** A schedule in words for lists: the cron fields and the time zone. */
export function scheduleText(definition: IDefinition): string {
  const schedule = definition.schedule;
  return schedule ? `${schedule.cron} (${schedule.timeZone})` : '';
}
