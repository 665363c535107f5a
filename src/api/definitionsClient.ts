import {
  ICreateDefinitionRequest,
  IDefinition,
  IDefinitionRun,
  IJob,
  IReplaceDefinitionRequest
} from '../wire';
import { MonitoringClient } from './monitoringClient';

/** `/definitions/{id}` with the id escaped. */
export function definitionPath(definitionId: string): string {
  return `definitions/${encodeURIComponent(definitionId)}`;
}

/**
 * The job definition routes: saved job specs, run now or on a cron schedule,
 * their run history and the schedule preview of the submit form.
 */
export class DefinitionsClient extends MonitoringClient {
  /** GET /definitions: the caller's definitions with their next run times. */
  async listDefinitions(signal?: AbortSignal): Promise<IDefinition[]> {
    const answer = await this.requester.json<{ definitions: IDefinition[] }>(
      'GET',
      'definitions',
      { signal }
    );
    return answer.definitions;
  }

  /** POST /definitions: save a job spec as a definition. */
  createDefinition(request: ICreateDefinitionRequest): Promise<IDefinition> {
    return this.requester.json<IDefinition>('POST', 'definitions', {
      body: request
    });
  }

  /** PUT /definitions/{id}: replace a definition (an absent webhook is kept). */
  replaceDefinition(
    definitionId: string,
    request: IReplaceDefinitionRequest
  ): Promise<IDefinition> {
    return this.requester.json<IDefinition>(
      'PUT',
      definitionPath(definitionId),
      { body: request }
    );
  }

  /** DELETE /definitions/{id}: its jobs stay. */
  async deleteDefinition(definitionId: string): Promise<void> {
    await this.requester.send('DELETE', definitionPath(definitionId), {});
  }

  /** POST /definitions/{id}/pause or /resume. */
  setDefinitionPaused(
    definitionId: string,
    paused: boolean
  ): Promise<IDefinition> {
    return this.requester.json<IDefinition>(
      'POST',
      `${definitionPath(definitionId)}/${paused ? 'pause' : 'resume'}`,
      {}
    );
  }

  /** POST /definitions/{id}/run: submit a run now; answers its job. */
  runDefinition(definitionId: string): Promise<IJob> {
    return this.requester.json<IJob>(
      'POST',
      `${definitionPath(definitionId)}/run`,
      {}
    );
  }

  /** GET /definitions/{id}/runs: the run history, newest first. */
  async getDefinitionRuns(
    definitionId: string,
    signal?: AbortSignal
  ): Promise<IDefinitionRun[]> {
    const answer = await this.requester.json<{ runs: IDefinitionRun[] }>(
      'GET',
      `${definitionPath(definitionId)}/runs`,
      { query: { pageSize: 50 }, signal }
    );
    return answer.runs;
  }

  /** GET /schedule-preview: the next times a cron schedule fires (ISO, UTC). */
  async previewSchedule(
    cron: string,
    timeZone: string,
    signal?: AbortSignal
  ): Promise<string[]> {
    const answer = await this.requester.json<{ nextRunTimes: string[] }>(
      'GET',
      'schedule-preview',
      { query: { cron, timeZone, count: 5 }, signal }
    );
    return answer.nextRunTimes;
  }
}
