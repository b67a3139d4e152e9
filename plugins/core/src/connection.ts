/** A way to run shell on a host: SSH for targets, a local one for the control machine. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  /** exit status; null when the remote process died of a signal */
  code: number | null;
  signal?: string;
}

export interface ExecOptions {
  /** bytes to feed the command's stdin */
  stdin?: string | Buffer;
}

/** Round trips and traffic of one connection, for --stats and the benchmark. */
export interface ConnectionStats {
  execs: number;
  bytesSent: number;
  bytesReceived: number;
  connectMs: number;
}

export interface Connection {
  readonly alias: string;
  readonly stats: ConnectionStats;
  /** why the connection is gone (the host went away, sshd stopped), once it is; exec then fails with E_CONNECT */
  readonly lost?: string;
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
}

export const newStats = (): ConnectionStats => ({ execs: 0, bytesSent: 0, bytesReceived: 0, connectMs: 0 });
