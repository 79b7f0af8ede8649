/**
 * Lines to stdout or stderr, which may be pipes whose reader goes away (`medpipe run … | head`).
 *
 * When the reader has gone (EPIPE), medpipe stops writing, quietly, as `git log | head` does;
 * without this the error surfaces as an uncaught exception with a stack trace. A run does not
 * stop with its output, though: it finishes its work and records it, as it would with its
 * output in a file. A closed pipe means the reader has seen enough, not that the steps, their
 * cache entries, the lock file and registry writes should be abandoned half-way; Ctrl-C is the
 * way to stop a run (see interrupt.ts).
 */

export function lineWriter(stream: NodeJS.WriteStream, name: 'stdout' | 'stderr'): (text: string) => void {
  let open = true;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (!open) return;
    open = false;
    // Another failure (a full disk under a redirect) is worth a word on the other stream; a
    // closed pipe is not: the reader chose to stop.
    if (e.code !== 'EPIPE' && name === 'stdout')
      process.stderr.write(`medpipe: cannot write to stdout any more (${e.code ?? e.message}); the command goes on without its output\n`);
  });
  return (text) => {
    if (open) stream.write(`${text}\n`);
  };
}
