import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { useSignals } from '../components/common';
import { isHpoJob } from '../model/jobs';
import { ServingModel } from '../model/serving';
import { IJob } from '../types';

/**
 * "Deploy" in a finished training job's detail view, shown once a model
 * it saved is registered (the serving model reloads when a job succeeds).
 */
export function JobDeployButton(props: {
  job: IJob;
  serving: ServingModel;
  deploy: (jobId: string) => void;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { job, serving, deploy, trans } = props;
  useSignals(serving.changed);
  if (
    job.state !== 'SUCCEEDED' ||
    isHpoJob(job) ||
    serving.versionsFromJob(job.jobId).length === 0
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
