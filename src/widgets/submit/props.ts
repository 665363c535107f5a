import { TranslationBundle } from '@jupyterlab/translation';

import { FormErrors, SubmitFormModel } from '../../model/submit';

/** What every part of the submit form renders from. */
export interface ISubmitPartProps {
  /** The form's state; parts edit it through its update methods. */
  model: SubmitFormModel;
  /** Field errors of this render, local and from the service. */
  errors: FormErrors;
  /** User-facing strings. */
  trans: TranslationBundle;
}
