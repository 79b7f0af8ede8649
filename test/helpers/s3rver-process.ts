/**
 * The s3rver process that s3-server.ts starts: `node --openssl-legacy-provider s3rver-process.js
 * DIRECTORY BUCKET`. It runs in a process of its own because s3rver 3.7 makes ListObjectsV2
 * continuation tokens with DES, which Node's OpenSSL 3 offers only with the legacy provider (a
 * flag of the process). Prints `{"port":N}` once listening on a free 127.0.0.1 port, and exits
 * when its parent closes stdin (or dies), so no server outlives its test.
 */
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
if (directory && bucket) {
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}
