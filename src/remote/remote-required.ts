/**
 * The error of a remote that failed while `--remote-required` was set: the command stops with its
 * message. In a module of its own so that the engine can recognise it without loading the remote
 * cache, which a run without a remote never needs.
 */
export class RemoteRequiredError extends Error {
  override readonly name = 'RemoteRequiredError';
}
