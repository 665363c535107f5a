import { DataGrid, DataModel } from '@lumino/datagrid';

import { batchCellBlits } from '../../widgets/trials/batchedBlit';

// jsdom has no canvas; the grid only keeps its contexts until it paints.
jest.mock('@lumino/datagrid', () => {
  jest
    .spyOn(HTMLCanvasElement.prototype, 'getContext')
    .mockReturnValue({} as any);
  return jest.requireActual('@lumino/datagrid');
});

/** A model of `groups` merged cell groups in the body. */
class Model extends DataModel {
  constructor(private readonly groups = 0) {
    super();
  }
  rowCount(): number {
    return 3;
  }
  columnCount(): number {
    return 3;
  }
  data(): string {
    return 'x';
  }
  groupCount(region: DataModel.RowRegion): number {
    return region === 'body' ? this.groups : 0;
  }
}

type Blit = [HTMLCanvasElement, number, number, number, number, number, number];

/** A grid whose canvas copies are recorded; `_drawCells` copies three cells of a column, then a scroll blit. */
function recordingGrid(groups = 0) {
  const grid = new DataGrid();
  grid.dataModel = new Model(groups);
  const internals = grid as any;
  const buffer = internals._buffer as HTMLCanvasElement;
  const canvas = internals._canvas as HTMLCanvasElement;
  const blits: Blit[] = [];
  internals._blitContent = (...args: Blit) => blits.push(args);
  internals._drawCells = () => {
    internals._blitContent(buffer, 10, 28, 110, 24, 10, 28);
    internals._blitContent(buffer, 10, 52, 110, 24, 10, 52);
    internals._blitContent(buffer, 120, 28, 60, 48, 120, 28);
    internals._blitContent(canvas, 0, 100, 50, 50, 0, 50);
  };
  return { grid, internals, buffer, canvas, blits };
}

describe('batchCellBlits', () => {
  it('relies on private members Lumino DataGrid still has', () => {
    const proto = DataGrid.prototype as any;
    expect(typeof proto._blitContent).toBe('function');
    expect(typeof proto._drawCells).toBe('function');
    expect(batchCellBlits(new DataGrid())).toBe(true);
  });

  it('copies the cells of a painted region to the canvas once, other copies as they come', () => {
    const { grid, internals, buffer, canvas, blits } = recordingGrid();
    expect(batchCellBlits(grid)).toBe(true);
    internals._drawCells({});
    expect(blits).toEqual([
      [canvas, 0, 100, 50, 50, 0, 50],
      [buffer, 10, 28, 170, 48, 10, 28]
    ]);
    // Outside a region's painting, buffer copies go straight through.
    internals._blitContent(buffer, 1, 2, 3, 4, 1, 2);
    expect(blits[2]).toEqual([buffer, 1, 2, 3, 4, 1, 2]);
  });

  it('keeps per-cell copies when the model merges cells', () => {
    const { grid, internals, blits } = recordingGrid(1);
    batchCellBlits(grid);
    internals._drawCells({});
    expect(blits).toHaveLength(4);
  });

  it('changes nothing on a grid without those members', () => {
    const grid = new DataGrid();
    (grid as any)._drawCells = undefined;
    const blit = (grid as any)._blitContent;
    expect(batchCellBlits(grid)).toBe(false);
    expect((grid as any)._blitContent).toBe(blit);
  });
});
