/** Colors and axes that follow the JupyterLab theme. */
export function themedAxes(element: HTMLElement) {
  const style = getComputedStyle(element);
  const color = (variable: string, fallback: string) =>
    style.getPropertyValue(variable).trim() || fallback;
  const axis = {
    stroke: color('--jp-ui-font-color1', '#444'),
    grid: { stroke: color('--jp-border-color2', '#e0e0e0'), width: 1 },
    ticks: { stroke: color('--jp-border-color2', '#e0e0e0'), width: 1 }
  };
  return { color, axis };
}
