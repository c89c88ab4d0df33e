/** Where the project keeps its local state: data in .data/, downloaded tool binaries in .tools/. */
import path from 'node:path';

export const projectRoot = path.resolve(__dirname, '..');
export const dataDir = process.env.BSS_DATA_DIR ?? path.join(projectRoot, '.data');
export const toolsDir = path.join(projectRoot, '.tools');
