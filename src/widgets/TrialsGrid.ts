import { TranslationBundle } from '@jupyterlab/translation';
import {
  BasicKeyHandler,
  BasicMouseHandler,
  BasicSelectionModel,
  CellRenderer,
  DataGrid,
  DataModel,
  TextRenderer
} from '@lumino/datagrid';
import { Message } from '@lumino/messaging';

import { stateLabel } from '../components/states';
import { formatDuration } from '../components/time';
import { Throttle } from '../components/throttle';
import { TrialsModel } from '../model/trials';
import { batchCellBlits } from './trials/batchedBlit';
import {
  durationOf,
  objectiveOf,
  stepsOf,
  TrialSortKey
} from '../model/trialTable';
import { ITrial, JSONValue } from '../wire';

/** Milliseconds between grid repaints while trial events stream in. */
export const GRID_REDRAW_MS = 250;

/** The grid's columns for a model: fixed ones around the parameters. */
export function gridColumns(model: TrialsModel): TrialSortKey[] {
  return [
    'trial',
    'state',
    'objective',
    ...model.parameterNames.map(name => `param:${name}` as TrialSortKey),
    'steps',
    'stoppedEarly',
    'duration'
  ];
}

/** A cell value for display. */
export function formatValue(value: JSONValue | undefined): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : value.toPrecision(5);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The trials view of a {@link TrialsModel} as a DataGrid model: one row per
 * trial in the view's order. It reads the model lazily, so only the rows
 * painted are formatted, which keeps 10,000 trials smooth.
 */
export class TrialsDataModel extends DataModel {
  /** Create a data model over a trials model. */
  constructor(
    readonly model: TrialsModel,
    private readonly trans: TranslationBundle
  ) {
    super();
    this._columns = gridColumns(model);
  }

  /** Column keys, in display order. */
  get columns(): readonly TrialSortKey[] {
    return this._columns;
  }

  /** Re-read the model and repaint everything. */
  reset(): void {
    this._columns = gridColumns(this.model);
    this._rows = this.model.view;
    this._bestId = this.model.bestTrial?.trialId ?? null;
    this._now = Date.now();
    this.emitChanged({ type: 'model-reset' });
  }

  /** The trial on a body row. */
  trialAt(row: number): ITrial | undefined {
    return this._rows[row];
  }

  /** The body row of a trial, or -1. */
  rowOf(trialId: string): number {
    return this._rows.findIndex(t => t.trialId === trialId);
  }

  /** Whether a body row holds the best trial. */
  isBest(row: number): boolean {
    return this._bestId !== null && this._rows[row]?.trialId === this._bestId;
  }

  /** Rows of a region. */
  rowCount(region: DataModel.RowRegion): number {
    return region === 'body' ? this._rows.length : 1;
  }

  /** Columns of a region. */
  columnCount(region: DataModel.ColumnRegion): number {
    return region === 'body' ? this._columns.length : 1;
  }

  /** The text of a cell. */
  data(region: DataModel.CellRegion, row: number, column: number): string {
    const key = this._columns[column];
    if (region === 'column-header') {
      const sort = this.model.sort;
      const arrow = sort.key === key ? (sort.ascending ? ' ▲' : ' ▼') : '';
      return this._label(key) + arrow;
    }
    if (region !== 'body') {
      return '';
    }
    const trial = this._rows[row];
    if (!trial || key === undefined) {
      return '';
    }
    switch (key) {
      case 'trial':
        return trial.trialId;
      case 'state':
        return stateLabel(trial.state, this.trans);
      case 'objective':
        return formatValue(objectiveOf(trial));
      case 'steps':
        return formatValue(stepsOf(trial));
      case 'stoppedEarly':
        return trial.isTrialStoppedEarly ? this.trans.__('yes') : '';
      case 'duration': {
        const ms = durationOf(trial, this._now);
        return ms === null ? '' : formatDuration(ms);
      }
      default:
        return formatValue(trial.hyperparameters?.[key.slice('param:'.length)]);
    }
  }

  private _label(key: TrialSortKey | undefined): string {
    switch (key) {
      case undefined:
        return '';
      case 'trial':
        return this.trans.__('Trial');
      case 'state':
        return this.trans.__('State');
      case 'objective':
        return this.model.metricTag || this.trans.__('Objective');
      case 'steps':
        return this.trans.__('Steps');
      case 'stoppedEarly':
        return this.trans.__('Stopped early');
      case 'duration':
        return this.trans.__('Duration');
      default:
        return key.slice('param:'.length);
    }
  }

  private _columns: TrialSortKey[];
  private _rows: readonly ITrial[] = [];
  private _bestId: string | null = null;
  private _now = Date.now();
}

/** Sorts on a header click (away from the resize handles). */
class SortingMouseHandler extends BasicMouseHandler {
  constructor(private readonly onSort: (column: number) => void) {
    super();
  }

  onMouseDown(grid: DataGrid, event: MouseEvent): void {
    const hit = grid.hitTest(event.clientX, event.clientY);
    if (
      hit.region === 'column-header' &&
      hit.x > 5 &&
      hit.width - hit.x > 5 &&
      event.button === 0
    ) {
      this.onSort(hit.column);
      return;
    }
    super.onMouseDown(grid, event);
  }
}

/**
 * The virtualized trials grid: sortable by clicking headers, one selected
 * row bound to the model's selected trial, the best trial highlighted.
 */
export class TrialsGrid extends DataGrid {
  /** Create the grid over a trials model. */
  constructor(model: TrialsModel, trans: TranslationBundle) {
    super({
      defaultSizes: {
        rowHeight: 24,
        columnWidth: 110,
        rowHeaderWidth: 40,
        columnHeaderHeight: 28
      },
      headerVisibility: 'column'
    });
    this.addClass('jp-laketahoe-TrialsGrid');
    batchCellBlits(this);
    this.model = model;
    this._data = new TrialsDataModel(model, trans);
    this.dataModel = this._data;
    this.selectionModel = new BasicSelectionModel({
      dataModel: this._data,
      selectionMode: 'row'
    });
    this.keyHandler = new BasicKeyHandler();
    this.mouseHandler = new SortingMouseHandler(column => {
      const key = this._data.columns[column];
      if (key) {
        model.toggleSort(key);
      }
    });
    this.selectionModel.changed.connect(this._onSelection, this);
    this._throttle = new Throttle(() => this._refresh(), GRID_REDRAW_MS);
    model.changed.connect(() => this._throttle.invoke(), this);
    this._refresh();
  }

  /** The trials model shown. */
  readonly model: TrialsModel;

  /** The grid's data model. */
  get data(): TrialsDataModel {
    return this._data;
  }

  /** Stop redrawing and release resources. */
  dispose(): void {
    this._throttle.dispose();
    super.dispose();
  }

  /** Take colors from the theme once attached. */
  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._applyTheme();
  }

  private _applyTheme(): void {
    const css = getComputedStyle(this.node);
    const v = (name: string, fallback: string) =>
      css.getPropertyValue(name).trim() || fallback;
    const font = `${v('--jp-ui-font-size1', '13px')} ${v(
      '--jp-ui-font-family',
      'sans-serif'
    )}`;
    const text = v('--jp-ui-font-color1', '#222');
    const best = v('--jp-success-color3', '#c8e6c9');
    const failed = v('--jp-error-color1', '#d32f2f');
    this.style = {
      ...DataGrid.defaultStyle,
      voidColor: v('--jp-layout-color0', '#fff'),
      backgroundColor: v('--jp-layout-color1', '#fff'),
      headerBackgroundColor: v('--jp-layout-color2', '#eee'),
      gridLineColor: v('--jp-border-color3', '#eee'),
      headerGridLineColor: v('--jp-border-color2', '#ddd'),
      selectionFillColor: 'rgba(33, 150, 243, 0.2)',
      selectionBorderColor: v('--jp-brand-color1', '#1976d2'),
      cursorBorderColor: 'transparent',
      headerSelectionFillColor: 'transparent'
    };
    const data = this._data;
    this.cellRenderers.update({
      body: new TextRenderer({
        font: ({ row }: CellRenderer.CellConfig) =>
          data.isBest(row) ? `bold ${font}` : font,
        textColor: ({ row, column }: CellRenderer.CellConfig) =>
          data.columns[column] === 'state' &&
          data.trialAt(row)?.state === 'FAILED'
            ? failed
            : text,
        backgroundColor: ({ row }: CellRenderer.CellConfig) =>
          data.isBest(row) ? best : '',
        horizontalAlignment: ({ column }: CellRenderer.CellConfig) =>
          column === 0 ? 'right' : 'left'
      }),
      'column-header': new TextRenderer({
        font: `600 ${font}`,
        textColor: text
      })
    });
  }

  private _refresh(): void {
    this._syncing = true;
    try {
      this._data.reset();
      const count = this._data.rowCount('body');
      this.node.dataset.rows = String(count);
      const selected = this.model.selectedId;
      const row = selected === null ? -1 : this._data.rowOf(selected);
      if (row >= 0) {
        this.selectionModel?.select({
          r1: row,
          c1: 0,
          r2: row,
          c2: this._data.columns.length - 1,
          cursorRow: row,
          cursorColumn: 0,
          clear: 'all'
        });
      } else {
        this.selectionModel?.clear();
      }
    } finally {
      this._syncing = false;
    }
  }

  private _onSelection(): void {
    if (this._syncing) {
      return;
    }
    const row = this.selectionModel?.cursorRow ?? -1;
    const trial = row >= 0 ? this._data.trialAt(row) : undefined;
    this.model.select(trial ? trial.trialId : null);
  }

  private _data: TrialsDataModel;
  private _throttle: Throttle;
  private _syncing = false;
}
