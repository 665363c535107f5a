import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { extractTar, UnsafeArchiveError, writeTar } from '../../src/artifacts/tar.js';
import { PYTHON, tempRoot } from '../helpers/service.js';

// Archives are crafted with Python's tarfile: the runner writes outputs.tar with it, and an attacker
// controls the notebook, so anything tarfile can write may arrive.
let root: string;
beforeAll(() => {
  root = tempRoot();
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const limits = { maxBytes: 1024 * 1024, maxFiles: 100 };

/** Writes a tar with Python: `members` is Python code appending TarInfo entries to `tar`. */
function craft(name: string, members: string): string {
  const file = path.join(root, `${name}.tar`);
  const script = [
    'import io, sys, tarfile',
    'def add(tar, name, data=b"", type=tarfile.REGTYPE, linkname=""):',
    '    info = tarfile.TarInfo(name); info.type = type; info.linkname = linkname; info.size = len(data) if type == tarfile.REGTYPE else 0',
    '    tar.addfile(info, io.BytesIO(data) if type == tarfile.REGTYPE else None)',
    `with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as tar:`,
    ...members.split('\n').map(l => `    ${l}`)
  ].join('\n');
  execFileSync(PYTHON, ['-c', script, file]);
  return file;
}

function dest(name: string): string {
  return path.join(root, `out-${name}`);
}

test('files, folders and long names round trip', () => {
  const long = `${'deep/'.repeat(30)}file-with-a-long-name.txt`;
  const archive = craft('ok', `add(tar, "a.txt", b"hello")\nadd(tar, "models", type=tarfile.DIRTYPE)\nadd(tar, "models/m/x.bin", b"\\x00\\x01")\nadd(tar, "${long}", b"long")`);
  const out = dest('ok');
  expect(extractTar(archive, out, limits)).toEqual({ files: ['a.txt', path.join('models', 'm', 'x.bin'), path.join(...long.split('/'))], bytes: 11 });
  expect(fs.readFileSync(path.join(out, 'a.txt'), 'utf8')).toBe('hello');
  expect(fs.readFileSync(path.join(out, ...long.split('/')), 'utf8')).toBe('long');
});

test("the service's own writer is read back by Python's tarfile with the data filter", () => {
  const src = path.join(root, 'src');
  fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(src, 'sub', 'f.txt'), 'content');
  const longName = `${'x'.repeat(120)}/ü-name.txt`;
  const archive = path.join(root, 'written.tar');
  writeTar([{ name: 'sub/f.txt', file: path.join(src, 'sub', 'f.txt') }, { name: longName, file: path.join(src, 'sub', 'f.txt') }], archive);
  const out = path.join(root, 'py-out');
  execFileSync(PYTHON, ['-c', 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2], filter="data")', archive, out]);
  expect(fs.readFileSync(path.join(out, 'sub', 'f.txt'), 'utf8')).toBe('content');
  expect(fs.readFileSync(path.join(out, ...longName.split('/')), 'utf8')).toBe('content');
  // And by our own reader.
  expect(extractTar(archive, dest('own'), limits).files).toHaveLength(2);
});

test.each([
  ['an absolute path', 'add(tar, "/etc/evil", b"x")', /absolute/],
  ['a path with ..', 'add(tar, "a/../../evil", b"x")', /leaves the folder/],
  ['a symbolic link out of the folder', 'add(tar, "link", type=tarfile.SYMTYPE, linkname="/etc/passwd")', /is a symbolic link/],
  ['a symbolic link inside the folder', 'add(tar, "a.txt", b"x")\nadd(tar, "link", type=tarfile.SYMTYPE, linkname="a.txt")', /is a symbolic link/],
  ['a hard link', 'add(tar, "a.txt", b"x")\nadd(tar, "hard", type=tarfile.LNKTYPE, linkname="a.txt")', /is a hard link/],
  ['a device', 'add(tar, "dev", type=tarfile.CHRTYPE)', /of type '3'/],
  ['a path through a file', 'add(tar, "a", b"x")\nadd(tar, "a/b", b"y")', /runs through a file/],
  ['a file replacing a folder', 'add(tar, "d/x", b"x")\nadd(tar, "d", b"y")', /replaces a folder/]
])('refused: %s', (name, members, message) => {
  const archive = craft(name.replace(/\W+/g, '-'), members);
  const out = dest(name.replace(/\W+/g, '-'));
  const err = (() => {
    try {
      extractTar(archive, out, limits);
    } catch (e) {
      return e as Error;
    }
    return undefined;
  })();
  expect(err).toBeInstanceOf(UnsafeArchiveError);
  expect(err!.message).toMatch(message);
  // Nothing was written outside the target folder.
  expect(fs.existsSync(path.join(root, 'evil'))).toBe(false);
});

test('byte and file-count limits stop the unpacking', () => {
  const many = craft('many', 'for i in range(20):\n    add(tar, f"f{i}", b"x")');
  expect(() => extractTar(many, dest('many'), { maxBytes: 1000, maxFiles: 10 })).toThrow('the archive holds more than 10 files');
  const big = craft('big', 'add(tar, "big", b"x" * 5000)');
  expect(() => extractTar(big, dest('big'), { maxBytes: 4096, maxFiles: 10 })).toThrow('the archive unpacks to more than 4096 bytes');
});

test('a truncated archive or a bad checksum is refused', () => {
  const archive = craft('trunc', 'add(tar, "a", b"x" * 3000)');
  const bytes = fs.readFileSync(archive);
  const truncated = path.join(root, 'truncated.tar');
  // Past the pax header and the file's header, inside its data.
  const dataStart = bytes.indexOf(Buffer.from('x'.repeat(100)));
  fs.writeFileSync(truncated, bytes.subarray(0, dataStart + 1000));
  expect(() => extractTar(truncated, dest('trunc'), limits)).toThrow(/ends inside/);
  const corrupt = Buffer.from(bytes);
  corrupt[0] ^= 0xff;
  const corruptFile = path.join(root, 'corrupt.tar');
  fs.writeFileSync(corruptFile, corrupt);
  expect(() => extractTar(corruptFile, dest('corrupt'), limits)).toThrow('a tar header has a bad checksum');
});
