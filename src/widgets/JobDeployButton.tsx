import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { useSignals } from '../components/hooks';
import { isHpoJob } from '../model/jobs';
import { IServingModel } from '../tokens';
import { IJob } from '../wire';

/**
 * "Deploy" in a succeeded training job's detail view, shown when the job
 * saved a model (as the job reports, or as a version registered from it).
 */
export function JobDeployButton(props: {
  job: IJob;
  serving: IServingModel;
  deploy: (jobId: string) => void;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { job, serving, deploy, trans } = props;
  useSignals(serving.changed);
  if (
    job.state !== 'SUCCEEDED' ||
    isHpoJob(job) ||
    ((job.trainingOutput?.models ?? []).length === 0 &&
      serving.versionsFromJob(job.jobId).length === 0)
  ) {
    return null;
  }
  return (
    <button
      type="button"
      className="jp-mod-styled jp-mod-accept jp-laketahoe-JobDetail-deploy"
      onClick={() => deploy(job.jobId)}
    >
      {trans.__('Deploy Model')}
    </button>
  );
}
