/**
 * Process B, the bystander: reads, writes and allocates pages of its own (the page a stray
 * DMA overwrites). Part of the UIO model (`model.ts`).
 */
import type { BystanderOp, UioState } from './types.ts';
import type { KernelSource } from '../core/model.ts';
import { PAGE_SIZE, USER_BUFFER_VA, hex } from './constants.ts';
import { SRC, bytesText, draft, toBytes, writeFrame } from './common.ts';
import type { StepOut } from './calls.ts';
// ---------------------------------------------------------------------------------------
// Process B.

export function stepB(s0: UioState, op: BystanderOp): StepOut {
  const s = draft(s0);
  const b = s.procs[1];
  b.pc += 1;
  const out = (narration: string, source: KernelSource | null = null): StepOut => ({ state: s, narration, source, actor: 'B' });
  if (op.op === 'alloc') {
    const pfn = s.frames.findIndex((f) => f.owner === 'free');
    if (pfn < 0) return out('Process B touches a new page, but no frame is free (the model has no reclaim): nothing happens.');
    const va = USER_BUFFER_VA + b.pages.length * PAGE_SIZE;
    const f = s.frames[pfn];
    Object.assign(f, { owner: 'B', va, label: `B page ${b.pages.length}`, bytes: toBytes(op.text), strayDmaStep: null, dmaWrites: 0 });
    b.pages.push({ va, pfn });
    return out(`Process B writes "${op.text}" to a new page at ${hex(va)}: the page fault takes the lowest free frame, pfn ${pfn}, zeroes it and maps it.`, SRC.doAnonymousPage);
  }
  const pg = b.pages[op.page];
  if (!pg) return out(`Process B has no page ${op.page}; nothing happens.`);
  const f = s.frames[pg.pfn];
  if (op.op === 'write') {
    writeFrame(f, 0, toBytes(op.text));
    return out(`Process B writes "${op.text}" to its page at ${hex(pg.va)} (pfn ${pg.pfn}).`);
  }
  const text = bytesText(f.bytes, 64);
  const corrupted = f.strayDmaStep !== null;
  b.reads.push({ page: op.page, pfn: pg.pfn, text, corrupted });
  const tail = corrupted ? `: the device's DMA wrote over it at step ${f.strayDmaStep}, and nothing stopped it` : ', intact';
  return out(`Process B reads its page at ${hex(pg.va)} (pfn ${pg.pfn}) and finds "${text}"${tail}.`);
}
