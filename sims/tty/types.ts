/**
 * Types of the tty write-atomicity model (`sims/tty/model.ts`).
 *
 * The model follows one write(2) per writer process down the path of Linux 6.12:
 * `tty_write` -> `file_tty_write` -> `iterate_tty_write` (holding `tty->atomic_write_lock`
 * across every chunk and while sleeping for room) -> `n_tty_write` -> `uart_write` (copying
 * into the `xmit` ring under `port->lock`, returning how much fitted) -> the UART sending
 * bytes at the baud rate. The `pipe` variant models `fs/pipe.c` `pipe_write` for contrast.
 *
 * Sizes are parameters so the lesson can show a scaled-down system (a 16-byte ring, 8-byte
 * chunks) with the same logic as the real one (a PAGE_SIZE ring, 2048-byte chunks).
 */

/** Which kernel path the writers take. */
export type Variant =
  /** Current kernel: `iterate_tty_write` holds `atomic_write_lock`. */
  | 'kernel'
  /** Hypothetical path that calls the line discipline without `atomic_write_lock`. */
  | 'no-lock'
  /** A pipe instead of a tty: `pipe_write` with `pipe->mutex` and PIPE_BUF. */
  | 'pipe';

/** One writer process issuing a single write(2) of `size` bytes. */
export interface WriterSpec {
  /** Bytes passed to write(2); >= 1. */
  size: number;
  /** The fd has O_NONBLOCK: no sleeping for the lock or for room. */
  nonblock: boolean;
  /** A signal may be delivered to this writer once, at any point (a scheduler choice). */
  signal: boolean;
}

/** Model parameters (plain JSON). */
export interface TtyParams {
  variant: Variant;
  /** 1 to 4 writers; writer i writes letter 'A'+i (byte 0x41+i), `size` times. */
  writers: WriterSpec[];
  /** `iterate_tty_write` chunk size in bytes (real: 2048; 65536 with TTY_NO_WRITE_SPLIT). */
  chunkSize: number;
  /** xmit ring size in bytes, a power of two >= 2 (real: PAGE_SIZE, UART_XMIT_SIZE). */
  xmitSize: number;
  /** PIPE_BUF and the pipe page size in bytes (real: 4096). */
  pipeBuf: number;
  /** Number of pipe buffers (pages) in the pipe ring (real default: 16). */
  pipeSlots: number;
  /** Line speed in baud; 8N1 framing sends 10 bits per byte. */
  baud: number;
  /** Bytes the UART transmits (or the pipe reader reads) in one step; >= 1. */
  drainBytes: number;
}

/** One byte in flight, identified by who wrote it and its index within that write. */
export interface Cell {
  writer: number;
  /** Index of the byte within the writer's write(2) buffer, from 0. */
  index: number;
}

/** Where a writer is on its way through the kernel. */
export type WriterPhase =
  /** Has not called write(2) yet. */
  | 'ready'
  /** Asleep in `mutex_lock_interruptible(&tty->atomic_write_lock)` (or `pipe->mutex`). */
  | 'lock-wait'
  /** Holds the lock and is copying: the next step copies (part of) the current chunk. */
  | 'copying'
  /** Asleep in `n_tty_write` waiting for room in the xmit ring (lock still held). For a
   *  pipe: asleep in `pipe_write` waiting for a free buffer (mutex released). */
  | 'room-wait'
  /** write(2) has returned; see `result`. */
  | 'done';

export interface WriterState {
  phase: WriterPhase;
  /** Bytes of this write accepted so far (copied into the ring / pipe). */
  written: number;
  /** Bytes of the current `iterate_tty_write` chunk still to be accepted by the driver.
   *  Set when the chunk is cut (on taking the lock, and after each chunk), so in 'copying'
   *  it is the whole chunk about to be handed to `n_tty_write`, in 'room-wait' what is left
   *  of it. Always 0 for the pipe (it copies page by page) and once 'done'. */
  chunkLeft: number;
  /** A signal has been delivered and is pending (TIF_SIGPENDING). */
  signalPending: boolean;
  /** The one allowed signal has already been used. */
  signalUsed: boolean;
  /** write(2)'s return value once `phase === 'done'`: bytes written, or a negative errno. */
  result: number | null;
  /** Symbolic errno when `result < 0`: 'EAGAIN' | 'EINTR'. */
  errno: 'EAGAIN' | 'EINTR' | null;
}

/** The xmit ring: `include/linux/circ_buf.h` style, one slot always kept empty. */
export interface XmitRing {
  /** `xmitSize` slots; `null` where nothing is held. */
  buf: (Cell | null)[];
  /** Next slot the producer (`uart_write`) fills. */
  head: number;
  /** Next slot the consumer (the UART) sends. */
  tail: number;
}

/** One pipe buffer (one page in `pipe->bufs`). */
export interface PipeBuffer {
  /** The bytes not yet read, oldest first. */
  cells: Cell[];
  /** `buf->offset`: bytes of this page the reader has already consumed. Added for the merge
   *  rule: `pipe_write` appends to the last buffer only if `offset + cells.length + chars`
   *  fits in the page (`pipeBuf`), so consumed bytes at the front are not reusable. */
  offset: number;
}

/** The pipe ring (`pipe_inode_info`): at most `pipeSlots` buffers, oldest first. */
export interface PipeRing {
  bufs: PipeBuffer[];
}

/** A choice the scheduler can make. */
export type TtyChoice =
  /** Let writer `writer` take its next step. */
  | { kind: 'run'; writer: number }
  /** Deliver the (single) signal to writer `writer`. */
  | { kind: 'signal'; writer: number }
  /** The UART sends up to `drainBytes` bytes from the xmit ring (tty variants). */
  | { kind: 'uart' }
  /** The reader reads up to `drainBytes` bytes from the pipe (pipe variant). */
  | { kind: 'reader' };

/** The whole state (immutable, plain JSON). */
export interface TtyState {
  params: TtyParams;
  /** Number of steps taken to reach this state. */
  stepIndex: number;
  /** Simulated time in nanoseconds: advances only as bytes leave on the wire. */
  time_ns: number;
  /** `tty->atomic_write_lock` (or `pipe->mutex`): the writer holding it, or null. */
  lockOwner: number | null;
  /** Writers asleep waiting for the lock, in arrival order. */
  lockWaiters: number[];
  writers: WriterState[];
  /** The xmit ring (tty variants); unused (empty ring) for the pipe. */
  xmit: XmitRing;
  /** The pipe ring (pipe variant); empty for tty variants. */
  pipe: PipeRing;
  /** Every byte that reached the far end, in order: what the reader's terminal received. */
  received: Cell[];
  /** What the last step did (null in the initial state). */
  event: import('../core/model.ts').StepEvent | null;
  /** The last choice taken (null in the initial state). */
  lastChoice: TtyChoice | null;
}
