import { LabIcon } from '@jupyterlab/ui-components';

import laketahoeSvg from '../style/icons/laketahoe.svg';
import servingSvg from '../style/icons/serving.svg';

/** The LakeTahoe logo, themed through the jp-icon3 class. */
export const laketahoeIcon = new LabIcon({
  name: 'laketahoe:logo',
  svgstr: laketahoeSvg
});

/** Models and deployments: a package, themed through the jp-icon3 class. */
export const servingIcon = new LabIcon({
  name: 'laketahoe:serving',
  svgstr: servingSvg
});
