import fs from 'node:fs';
import path from 'node:path';
import { parseServeArgs } from '../../src/config.js';
import { tempRoot } from '../helpers/service.js';


describe('artifact store flags', () => {
  const env = { LAKETAHOE_TOKEN: 't' };
  test('the local folder under the data folder is the default', () => {
    const c = parseServeArgs(['--root-dir', '/srv/root'], env);
    expect(c.artifacts).toMatchObject({ kind: 'local', dir: '/srv/root/.laketahoe/artifacts', grantSeconds: 604800 });
  });

  test('s3 from flags, credentials from the environment; path style follows the endpoint', () => {
    const c = parseServeArgs(['--artifact-store', 's3', '--s3-bucket', 'b', '--s3-endpoint', 'http://127.0.0.1:9000', '--artifact-grant-seconds', '3600'], {
      ...env,
      LAKETAHOE_S3_ACCESS_KEY_ID: 'id',
      LAKETAHOE_S3_SECRET_ACCESS_KEY: 'secret'
    });
    expect(c.artifacts).toEqual({
      kind: 's3',
      grantSeconds: 3600,
      maxOutputBytes: 10 * 1024 ** 3,
      maxOutputFiles: 100000,
      s3: { endpoint: 'http://127.0.0.1:9000', publicEndpoint: undefined, bucket: 'b', region: 'us-east-1', forcePathStyle: true, prefix: '', credentials: { accessKeyId: 'id', secretAccessKey: 'secret' } }
    });
  });

  test('credentials from a file (JSON or KEY=VALUE); errors name the file, never its content', () => {
    const dir = tempRoot();
    const json = path.join(dir, 'creds.json');
    fs.writeFileSync(json, JSON.stringify({ accessKeyId: 'AK', secretAccessKey: 'SK' }));
    const lines = path.join(dir, 'creds.env');
    fs.writeFileSync(lines, '# keys\nAWS_ACCESS_KEY_ID=AK2\nAWS_SECRET_ACCESS_KEY=SK2\n');
    const s3 = (file: string) => (parseServeArgs(['--artifact-store', 's3', '--s3-bucket', 'b', '--s3-credentials-file', file], env).artifacts as any).s3;
    expect(s3(json).credentials).toEqual({ accessKeyId: 'AK', secretAccessKey: 'SK' });
    expect(s3(lines).credentials).toEqual({ accessKeyId: 'AK2', secretAccessKey: 'SK2' });
    const broken = path.join(dir, 'broken');
    fs.writeFileSync(broken, 'SECRET_ONLY=supersecretvalue');
    expect(() => s3(broken)).toThrow(`s3-credentials-file: ${broken} needs an access key id and a secret access key`);
    try {
      s3(broken);
    } catch (e) {
      expect((e as Error).message).not.toContain('supersecretvalue');
    }
  });

  test.each([
    [['--artifact-store', 'gcs'], "artifact-store must be local or s3, got 'gcs'"],
    [['--artifact-store', 's3'], 'artifact-store s3 needs --s3-bucket (or LAKETAHOE_S3_BUCKET)'],
    [['--artifact-store', 's3', '--s3-bucket', 'b', '--s3-endpoint', 'ftp://x'], "s3-endpoint must be http(s)://host[:port], got 'ftp://x'"],
    [['--artifact-store', 's3', '--s3-bucket', 'b', '--s3-path-style', 'yes'], "s3-path-style must be true or false, got 'yes'"],
    [['--artifact-grant-seconds', '700000'], 'artifact-grant-seconds: presigned URLs live at most 7 days (604800 s)'],
    [['--artifact-max-output-files', '0'], "artifact-max-output-files must be a whole number of at least 1, got '0'"]
  ])('%j is refused', (flags, message) => {
    expect(() => parseServeArgs(flags as string[], env)).toThrow(message);
  });
});
