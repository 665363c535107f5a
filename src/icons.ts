import { LabIcon } from '@jupyterlab/ui-components';

import laketahoeSvg from '../style/icons/laketahoe.svg';

/** The LakeTahoe logo, themed through the jp-icon3 class. */
export const laketahoeIcon = new LabIcon({
  name: 'laketahoe:logo',
  svgstr: laketahoeSvg
});
