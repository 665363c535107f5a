import fs from 'node:fs';
import path from 'node:path';

/**
 * The small part of the tar format the service needs: writing a snapshot of input files, and unpacking
 * a run's outputs under limits. Readers accept ustar and POSIX pax (what Python's tarfile writes) and
 * GNU long names; they refuse links, devices and any path that could leave the target folder.
 */

const BLOCK = 512;

/** A file headed for a tar archive. */
export interface TarEntry {
  /** `/`-separated path inside the archive. */
  name: string;
  /** The file to copy the bytes from. */
  file: string;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, type: string, mode: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write(octal(mode, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(mtime, 12), 136);
  h.fill(' ', 148, 156);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const byte of h) {
    sum += byte;
  }
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

function pad(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** One pax record, `<len> path=<value>\n`, whose length counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) {
    len += 1;
  }
  return `${len}${body}`;
}

/** Writes `entries` as a tar archive to `out`; names longer than ustar's 100 bytes get a pax header. */
export function writeTar(entries: TarEntry[], out: string): void {
  const fd = fs.openSync(out, 'w');
  try {
    for (const entry of entries) {
      const st = fs.statSync(entry.file);
      const mtime = Math.floor(st.mtimeMs / 1000);
      if (Buffer.byteLength(entry.name) > 100 || /[^\x20-\x7e]/.test(entry.name)) {
        const pax = Buffer.from(paxRecord('path', entry.name));
        fs.writeSync(fd, header('PaxHeader', pax.length, 'x', 0o644, mtime));
        fs.writeSync(fd, pax);
        fs.writeSync(fd, pad(pax.length));
      }
      fs.writeSync(fd, header(entry.name, st.size, '0', st.mode & 0o111 ? 0o755 : 0o644, mtime));
      const input = fs.openSync(entry.file, 'r');
      try {
        const buf = Buffer.alloc(1024 * 1024);
        let copied = 0;
        for (;;) {
          const n = fs.readSync(input, buf, 0, buf.length, null);
          if (n === 0) {
            break;
          }
          copied += n;
          fs.writeSync(fd, buf, 0, n);
        }
        if (copied !== st.size) {
          throw new Error(`${entry.file} changed size while it was archived`);
        }
      } finally {
        fs.closeSync(input);
      }
      fs.writeSync(fd, pad(st.size));
    }
    fs.writeSync(fd, Buffer.alloc(BLOCK * 2));
  } finally {
    fs.closeSync(fd);
  }
}

/** Limits on what one archive may unpack to. */
export interface ExtractLimits {
  maxBytes: number;
  maxFiles: number;
}

/** An archive that is malformed, unsafe or over its limits; the message names the entry. */
export class UnsafeArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeArchiveError';
  }
}

/** `name` as a safe relative path (segments joined by the platform separator), or a thrown error. */
export function safeRelative(name: string): string {
  const trimmed = name.replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '.') {
    return '';
  }
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\') || name.includes('\0')) {
    throw new UnsafeArchiveError(`entry '${name}' has an absolute or unusual path`);
  }
  const parts = trimmed.split('/').filter(p => p !== '' && p !== '.');
  if (parts.some(p => p === '..')) {
    throw new UnsafeArchiveError(`entry '${name}' leaves the folder (..)`);
  }
  return parts.join(path.sep);
}

function text(h: Buffer, start: number, len: number): string {
  const raw = h.subarray(start, start + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? len : end).toString('utf8');
}

function number(h: Buffer, start: number, len: number): number {
  const raw = h.subarray(start, start + len);
  if (raw[0] & 0x80) {
    throw new UnsafeArchiveError('entry uses a base-256 size');
  }
  const s = text(h, start, len).trim();
  const n = s === '' ? 0 : parseInt(s, 8);
  if (!Number.isFinite(n) || n < 0) {
    throw new UnsafeArchiveError('malformed tar header');
  }
  return n;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    const len = parseInt(data.subarray(i, space).toString('ascii'), 10);
    if (space < 0 || !Number.isFinite(len) || len <= 0 || i + len > data.length) {
      throw new UnsafeArchiveError('malformed pax header');
    }
    const record = data.subarray(space + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/**
 * Unpacks the tar archive `archive` into the folder `dest` (created, must not exist yet): regular files
 * and folders only. Refused with {@link UnsafeArchiveError}: absolute paths, `..`, symbolic and hard
 * links, devices, a path that runs through a file, and more than `limits` bytes or files. `dest` is new,
 * holds nothing but what this call wrote, and links are never created, so no write can follow a link
 * out of it. Returns the files written, relative to `dest`.
 */
export function extractTar(archive: string, dest: string, limits: ExtractLimits): { files: string[]; bytes: number } {
  fs.mkdirSync(dest);
  const fd = fs.openSync(archive, 'r');
  const files: string[] = [];
  let bytes = 0;
  try {
    const h = Buffer.alloc(BLOCK);
    let pos = 0;
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    const readData = (size: number): Buffer => {
      if (size > 1024 * 1024) {
        throw new UnsafeArchiveError('an extended header is too large');
      }
      const data = Buffer.alloc(size);
      if (fs.readSync(fd, data, 0, size, pos) !== size) {
        throw new UnsafeArchiveError('the archive ends inside an entry');
      }
      pos += size + ((BLOCK - (size % BLOCK)) % BLOCK);
      return data;
    };
    for (;;) {
      const n = fs.readSync(fd, h, 0, BLOCK, pos);
      if (n === 0) {
        break;
      }
      if (n !== BLOCK) {
        throw new UnsafeArchiveError('the archive ends inside a header');
      }
      pos += BLOCK;
      if (h.every(b => b === 0)) {
        break;
      }
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) {
        sum += i >= 148 && i < 156 ? 32 : h[i];
      }
      if (sum !== number(h, 148, 8)) {
        throw new UnsafeArchiveError('a tar header has a bad checksum');
      }
      const type = String.fromCharCode(h[156] || 0x30);
      const size = number(h, 124, 12);
      if (type === 'x') {
        pax = parsePax(readData(size));
        continue;
      }
      if (type === 'g') {
        readData(size);
        continue;
      }
      if (type === 'L') {
        longName = readData(size).toString('utf8').replace(/\0+$/, '');
        continue;
      }
      const prefix = text(h, 345, 155);
      const name = pax.path ?? longName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
      const realSize = pax.size !== undefined ? Number(pax.size) : size;
      pax = {};
      longName = undefined;
      if (type !== '0' && type !== '7' && type !== '5') {
        const what = type === '1' ? 'a hard link' : type === '2' ? 'a symbolic link' : `of type '${type}'`;
        throw new UnsafeArchiveError(`entry '${name}' is ${what}; only files and folders are accepted`);
      }
      const rel = safeRelative(name);
      if (rel === '') {
        pos += realSize + ((BLOCK - (realSize % BLOCK)) % BLOCK);
        continue;
      }
      const target = path.join(dest, rel);
      mkdirs(dest, path.dirname(rel), name);
      if (type === '5') {
        mkdirs(dest, rel, name);
        continue;
      }
      files.push(rel);
      bytes += realSize;
      if (files.length > limits.maxFiles) {
        throw new UnsafeArchiveError(`the archive holds more than ${limits.maxFiles} files`);
      }
      if (bytes > limits.maxBytes) {
        throw new UnsafeArchiveError(`the archive unpacks to more than ${limits.maxBytes} bytes`);
      }
      if (fs.existsSync(target) && !fs.lstatSync(target).isFile()) {
        throw new UnsafeArchiveError(`entry '${name}' replaces a folder`);
      }
      const mode = number(h, 100, 8) & 0o111 ? 0o755 : 0o644;
      const out = fs.openSync(target, 'w', mode);
      try {
        const buf = Buffer.alloc(Math.min(realSize, 1024 * 1024) || 1);
        let left = realSize;
        while (left > 0) {
          const got = fs.readSync(fd, buf, 0, Math.min(buf.length, left), pos);
          if (got === 0) {
            throw new UnsafeArchiveError(`the archive ends inside '${name}'`);
          }
          fs.writeSync(out, buf, 0, got);
          pos += got;
          left -= got;
        }
      } finally {
        fs.closeSync(out);
      }
      pos += (BLOCK - (realSize % BLOCK)) % BLOCK;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { files, bytes };
}

/** Creates the folders of `rel` under `dest`, refusing to pass through a file. */
function mkdirs(dest: string, rel: string, name: string): void {
  if (rel === '.' || rel === '') {
    return;
  }
  let current = dest;
  for (const part of rel.split(path.sep)) {
    current = path.join(current, part);
    const st = fs.lstatSync(current, { throwIfNoEntry: false });
    if (!st) {
      fs.mkdirSync(current);
    } else if (!st.isDirectory()) {
      throw new UnsafeArchiveError(`entry '${name}' runs through a file`);
    }
  }
}
