import fs from 'node:fs';
import path from 'node:path';

/** Writes a minimal nbformat 4 notebook whose code cells are `sources`; a cell tagged `parameters` first when given. */
export function writeNotebook(file: string, sources: string[], parameters?: string): void {
  const cells = [];
  if (parameters !== undefined) {
    cells.push({ cell_type: 'code', metadata: { tags: ['parameters'] }, source: parameters, outputs: [], execution_count: null });
  }
  for (const source of sources) {
    cells.push({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });
  }
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, language_info: { name: 'python' } },
    cells: cells.map((c, i) => ({ ...c, id: `cell-${i}` }))
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
}
