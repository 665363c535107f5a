import type { StagedInputs } from './snapshot.js';

/** What the backend keeps in a run's runtime record to start and re-adopt it. */
export interface LocalPlan {
  kind: 'notebook' | 'module';
  inputs: StagedInputs;
  parameters?: Record<string, unknown>;
  module?: string;
  moduleArgs?: string[];
  maxRunningMs?: number;
}
