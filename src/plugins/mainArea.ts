import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

/** Id and tab title of a main-area widget. */
export interface IMainAreaTitle {
  id: string;
  label: string;
  caption: string;
  icon: LabIcon;
}

/**
 * Wrap a content widget in a closable main-area widget, start its model
 * (disposed with the widget), track it and show it.
 */
export function openInMainArea<
  M extends { start(): void; dispose(): void },
  W extends Widget & { readonly model: M }
>(
  shell: JupyterFrontEnd.IShell,
  tracker: WidgetTracker<MainAreaWidget<W>>,
  content: W,
  title: IMainAreaTitle
): MainAreaWidget<W> {
  const widget = new MainAreaWidget({ content });
  widget.id = title.id;
  widget.title.label = title.label;
  widget.title.caption = title.caption;
  widget.title.icon = title.icon;
  widget.title.closable = true;
  widget.disposed.connect(() => content.model.dispose());
  content.model.start();
  void tracker.add(widget);
  shell.add(widget, 'main');
  shell.activateById(widget.id);
  return widget;
}
