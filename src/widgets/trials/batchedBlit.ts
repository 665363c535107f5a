/**
 * One canvas copy per painted region of a Lumino DataGrid instead of one per cell.
 *
 * DataGrid paints each cell into an off-screen buffer and copies that cell
 * to the visible canvas at once (`drawImage` of the buffer). Without GPU
 * rasterization every such copy snapshots and flushes the whole buffer, so a
 * repaint of 20 rows by 10 columns costs 200 snapshots: 150-500 ms per wheel
 * step whatever the row count. The cells of one region tile a rectangle and
 * each is cleared before it is painted, so text running past a cell's right
 * edge is wiped by the next column's cell (or lies outside the rectangle):
 * copying the rectangle once when the region is done gives the same pixels.
 * Grids with merged cells keep the per-cell copies (merged cells leave holes
 * in the buffer that must not be copied).
 */
import { DataGrid } from '@lumino/datagrid';

/** The private members of DataGrid this relies on (Lumino 2.x). */
interface IPaintInternals {
  _buffer: HTMLCanvasElement;
  _blitContent(
    source: HTMLCanvasElement,
    x: number,
    y: number,
    w: number,
    h: number,
    dx: number,
    dy: number
  ): void;
  _drawCells(region: unknown): void;
}

/** Bounds of the cells copied so far in one region. */
interface IBounds {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * Make `grid` copy each painted region's cells to its canvas in one go.
 * Returns false (and changes nothing) when this DataGrid does not paint
 * the way described above.
 */
export function batchCellBlits(grid: DataGrid): boolean {
  const internals = grid as unknown as IPaintInternals;
  if (
    typeof internals._blitContent !== 'function' ||
    typeof internals._drawCells !== 'function'
  ) {
    return false;
  }
  const blit = internals._blitContent.bind(grid);
  const drawCells = internals._drawCells.bind(grid);
  let pending: IBounds | null = null;

  internals._blitContent = (source, x, y, w, h, dx, dy) => {
    const inPlace = source === internals._buffer && x === dx && y === dy;
    if (!pending || !inPlace) {
      blit(source, x, y, w, h, dx, dy);
      return;
    }
    pending.x1 = Math.min(pending.x1, x);
    pending.y1 = Math.min(pending.y1, y);
    pending.x2 = Math.max(pending.x2, x + w);
    pending.y2 = Math.max(pending.y2, y + h);
  };

  internals._drawCells = region => {
    const model = grid.dataModel;
    const merged =
      !!model &&
      (model.groupCount('body') > 0 ||
        model.groupCount('column-header') > 0 ||
        model.groupCount('row-header') > 0 ||
        model.groupCount('corner-header') > 0);
    if (merged) {
      drawCells(region);
      return;
    }
    const bounds: IBounds = {
      x1: Infinity,
      y1: Infinity,
      x2: -Infinity,
      y2: -Infinity
    };
    pending = bounds;
    try {
      drawCells(region);
    } finally {
      pending = null;
      if (bounds.x2 > bounds.x1 && bounds.y2 > bounds.y1) {
        const { x1, y1, x2, y2 } = bounds;
        blit(internals._buffer, x1, y1, x2 - x1, y2 - y1, x1, y1);
      }
    }
  };
  return true;
}
