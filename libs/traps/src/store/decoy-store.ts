import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readMountPoints } from './mount-points.js';
import { MountHelper } from './mounter.js';
import type { Mounter } from './mounter.js';
import { writeDecoy } from './write-decoy.js';
import type { DecoyWrite } from './write-decoy.js';

export const STORE_ERROR_CODE = 'BEESTING_ERR_DECOY_STORE';

export class StoreError extends Error {
  readonly code = STORE_ERROR_CODE;
  constructor(message: string, options?: ErrorOptions) {
    super(`${STORE_ERROR_CODE}: ${message}`, options);
  }
}

export interface StoredTrap {
  trapId: string;
  name: string;
  /** The real file on the host at the trap's path: what the monitor arms. */
  hostPath: string;
  /** Bind mount source on the host and destination in the container. */
  source: string;
  destination: string;
  /** What the caller keeps with the trap (its inventory entry), to rebuild after a restart. */
  record?: string;
}

export interface StoredContainer {
  containerId: string;
  slot: string;
  traps: StoredTrap[];
}

export interface PlantRequest extends Omit<DecoyWrite, 'dir'> {
  trapId: string;
  name: string;
  destination: string;
  record?: (hostPath: string) => string;
}

export interface DecoyStoreOptions {
  /** Directory holding one tmpfs mount per container (BEESTING_STATE_DIR/decoys). */
  root: string;
  /** Empty tmpfs mounts kept ready so a create does not wait for mount(8). */
  spares?: number;
  /** tmpfs options; the size shows inside the container, so it looks like kubelet's. */
  tmpfsOptions?: string;
  mounter?: Mounter;
  onError?: (err: Error) => void;
}

const OWNER_FILE = '.owner.json';

/**
 * The decoys of every container, each container's on its own small tmpfs under `root`.
 * The record of which container a tmpfs belongs to lives on the tmpfs itself (outside the
 * directories bound into the container), so the store is rebuilt from the mounts after a
 * restart and nothing needs a separate database.
 */
export class DecoyStore {
  private readonly byContainer = new Map<string, StoredContainer>();
  private readonly spares: string[] = [];
  private refilling = false;
  private closed = false;
  private readonly mounter: Mounter;
  private readonly tmpfsOptions: string;

  private constructor(private readonly options: DecoyStoreOptions) {
    this.mounter = options.mounter ?? new MountHelper();
    this.tmpfsOptions = options.tmpfsOptions ?? 'size=16384k';
  }

  static async open(options: DecoyStoreOptions): Promise<DecoyStore> {
    const store = new DecoyStore(options);
    await store.load();
    store.refill();
    return store;
  }

  get(containerId: string): StoredContainer | undefined {
    return this.byContainer.get(containerId);
  }

  containers(): StoredContainer[] {
    return [...this.byContainer.values()];
  }

  get spareCount(): number {
    return this.spares.length;
  }

  /** Writes a container's decoys on a tmpfs of its own; on any failure nothing is left. */
  async plant(containerId: string, decoys: PlantRequest[]): Promise<StoredContainer> {
    if (this.byContainer.has(containerId)) await this.remove(containerId);
    const slot = await this.takeSlot();
    try {
      const traps: StoredTrap[] = [];
      const used = new Set<string>([OWNER_FILE]);
      for (const [i, d] of decoys.entries()) {
        const base = d.layout === 'projected' ? (d.destination.split('/').pop() ?? 'volume') : (d.files[0]?.name ?? 'file');
        const name = used.has(base) ? `${i}` : base;
        used.add(name);
        const dir = d.layout === 'projected' ? join(slot, name) : name === base ? slot : join(slot, name);
        const hostPath = writeDecoy({ layout: d.layout, files: d.files, mode: d.mode, owner: d.owner, mtime: d.mtime, dir });
        const source = d.layout === 'projected' ? dir : hostPath;
        traps.push({ trapId: d.trapId, name: d.name, hostPath, source, destination: d.destination, ...(d.record ? { record: d.record(hostPath) } : {}) });
      }
      const stored = { containerId, slot, traps };
      writeFileSync(join(slot, OWNER_FILE), JSON.stringify(stored), { mode: 0o600 });
      this.byContainer.set(containerId, stored);
      return stored;
    } catch (err) {
      await this.release(slot);
      throw err instanceof StoreError ? err : new StoreError(`decoys of ${containerId}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Unmounts a container's tmpfs and removes its directory; false if it had none. */
  async remove(containerId: string): Promise<boolean> {
    const stored = this.byContainer.get(containerId);
    if (!stored) return false;
    this.byContainer.delete(containerId);
    await this.release(stored.slot);
    return true;
  }

  /** Removes the decoys of every container not in `alive`; returns the containers removed. */
  async retainOnly(alive: ReadonlySet<string>): Promise<string[]> {
    const gone = [...this.byContainer.keys()].filter((id) => !alive.has(id));
    for (const id of gone) await this.remove(id);
    return gone;
  }

  /** Unmounts the spare mounts; containers' decoys stay (they live as long as their containers). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.refilling) await new Promise((r) => setTimeout(r, 5));
    for (const slot of this.spares.splice(0)) await this.release(slot);
    this.mounter.close?.();
  }

  private async load(): Promise<void> {
    const root = this.options.root;
    try {
      await mkdir(root, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new StoreError(`cannot create ${root}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
    const mounted = readMountPoints(root);
    for (const entry of await readdir(root)) {
      const slot = join(root, entry);
      if (!mounted.has(slot)) {
        await rmdir(slot).catch(() => {}); // a slot whose mount never happened
        continue;
      }
      const owner = await readFile(join(slot, OWNER_FILE), 'utf8').then(
        (text) => JSON.parse(text) as StoredContainer,
        () => undefined,
      );
      if (owner?.containerId) this.byContainer.set(owner.containerId, { ...owner, slot });
      else if (this.spares.length < (this.options.spares ?? 0)) this.spares.push(slot);
      else await this.release(slot);
    }
  }

  private async takeSlot(): Promise<string> {
    const spare = this.spares.shift();
    this.refill();
    return spare ?? this.mountSlot();
  }

  private async mountSlot(): Promise<string> {
    const slot = join(this.options.root, randomBytes(6).toString('hex'));
    try {
      await mkdir(slot, { mode: 0o700 });
    } catch (err) {
      throw new StoreError(`cannot create ${slot}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
    try {
      await this.mounter.mountTmpfs(slot, this.tmpfsOptions);
    } catch (err) {
      await rmdir(slot).catch(() => {});
      throw new StoreError(`cannot mount a tmpfs at ${slot}: ${(err as Error).message}`, { cause: err });
    }
    return slot;
  }

  private refill(): void {
    const want = this.options.spares ?? 0;
    if (this.refilling || this.closed || this.spares.length >= want) return;
    this.refilling = true;
    void (async () => {
      try {
        while (!this.closed && this.spares.length < want) this.spares.push(await this.mountSlot());
      } catch (err) {
        this.options.onError?.(err as Error);
      } finally {
        this.refilling = false;
      }
    })();
  }

  private async release(slot: string): Promise<void> {
    try {
      await this.mounter.unmount(slot);
    } catch (err) {
      if (existsSync(join(slot, OWNER_FILE))) throw new StoreError(`cannot unmount ${slot}: ${(err as Error).message}`, { cause: err });
    }
    await rmdir(slot).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') this.options.onError?.(new StoreError(`cannot remove ${slot}: ${err.code ?? err.message}`));
    });
  }
}
