import { Widget } from '@lumino/widgets';

import { IExecutionRecord } from '../model/types';
import { memoryWasReused } from './text';

export const BADGE_CLASS = 'jp-MemoryUsage-badge';

export interface IBadgeContent {
  record: IExecutionRecord;
  text: string;
  tooltip: string;
  fromEarlierProcess: boolean;
  /** Recorded in an earlier session (another kernel, or before a server restart). */
  fromEarlierSession: boolean;
  /** From a headless run's figures in the cell's metadata. */
  fromHeadlessRun?: boolean;
}

/**
 * The badge under a code cell's input. It only renders what it is given.
 */
export class MemoryBadge extends Widget {
  constructor() {
    super();
    this.addClass(BADGE_CLASS);
  }

  render(content: IBadgeContent): void {
    const { record, text, tooltip, fromEarlierProcess, fromEarlierSession, fromHeadlessRun = false } = content;
    const node = this.node;
    node.textContent = text;
    node.title = tooltip;
    const data = node.dataset;
    data.state = record.status;
    data.msgId = record.msg_id;
    data.delta = numberAttribute(record.delta);
    data.peakIncrement = numberAttribute(record.peak_increment);
    data.rss = numberAttribute(record.rss_end);
    data.duration = numberAttribute(record.duration);
    data.stale = String(fromEarlierProcess);
    data.earlier = String(fromEarlierSession);
    data.headless = String(fromHeadlessRun);
    data.heapDelta = numberAttribute(record.heap_delta ?? null);
    data.reused = String(memoryWasReused(record));
    node.setAttribute('aria-label', tooltip);
  }
}

function numberAttribute(value: number | null): string {
  return value === null ? '' : String(value);
}
