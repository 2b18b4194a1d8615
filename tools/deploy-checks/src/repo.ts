import { join } from 'node:path';

export const root = join(import.meta.dirname, '../../..');
export const chartDir = join(root, 'charts/beesting');
