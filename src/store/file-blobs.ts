import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { FileTooLargeError, type FileBlobs, type StoredFile } from '../domain/ports.ts';

/**
 * Files in one folder of the data folder, by relative name ("firmware/<sha256>",
 * "logs/<station>/<request>"). A file is written to a temporary name, flushed and renamed, so a
 * crash leaves either the whole file or none.
 */
export class FolderFileBlobs implements FileBlobs {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async write(name: string, source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredFile> {
    const path = this.pathOf(name);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.part`;
    const file = await open(temporary, 'wx', 0o600);
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > maxBytes) throw new FileTooLargeError(maxBytes);
        hash.update(chunk);
        await file.write(chunk);
      }
      await file.sync();
    } catch (err) {
      await file.close();
      await rm(temporary, { force: true });
      throw err;
    }
    await file.close();
    await rename(temporary, path);
    await syncFolder(dirname(path));
    return { size, sha256: hash.digest('hex') };
  }

  async read(name: string, start = 0): Promise<{ size: number; stream: AsyncIterable<Uint8Array> } | undefined> {
    const path = this.pathOf(name);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      return undefined;
    }
    return { size, stream: createReadStream(path, { start: Math.min(start, size) }) as AsyncIterable<Uint8Array> };
  }

  async rename(from: string, to: string): Promise<void> {
    const target = this.pathOf(to);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await rename(this.pathOf(from), target);
    await syncFolder(dirname(target));
  }

  async remove(name: string): Promise<void> {
    await rm(this.pathOf(name), { force: true, recursive: true });
  }

  /**
   * Removes what a crash left behind: files being written (".part") and uploads never moved to
   * their name ("incoming-"). Called before anything is written.
   */
  async sweep(): Promise<number> {
    let removed = 0;
    const visit = async (folder: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const path = join(folder, e.name);
        if (e.isDirectory()) await visit(path);
        else if (e.name.endsWith('.part') || e.name.startsWith('incoming-')) {
          await rm(path, { force: true });
          removed++;
        }
      }
    };
    await visit(this.root);
    return removed;
  }

  /** A name never leaves the folder (a station's identity or a file name is not trusted). */
  private pathOf(name: string): string {
    const path = resolve(this.root, name);
    const inside = relative(this.root, path);
    if (!inside || inside.startsWith('..') || inside.split(sep).includes('..') || join(this.root, inside) !== path) throw new Error(`not a file name inside the folder: ${name}`);
    return path;
  }
}

/** The rename is durable once the folder's entry is on disk. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
