import type { SecretEnvLaunch } from './secrets.js';
import type { StagedInputs } from './snapshot.js';

/** What the backend keeps in a run's runtime record to start and re-adopt it. */
export interface LocalPlan {
  kind: 'notebook' | 'module';
  inputs: StagedInputs;
  parameters?: Record<string, unknown>;
  module?: string;
  moduleArgs?: string[];
  maxRunningMs?: number;
  /** Plain variables of `trainingInput.env`. */
  env?: Record<string, string>;
  /** Secret references the runner resolves from the user's secrets file (names only, never values). */
  secrets?: SecretEnvLaunch;
  /** Notebook form: the kernelspec to run on and the one to use when it is missing. */
  kernel?: string;
  kernelFallback?: string;
}
