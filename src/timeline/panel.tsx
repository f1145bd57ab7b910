import { TranslationBundle } from '@jupyterlab/translation';
import { LabIcon, ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { TimelineBody } from './body';
import { TimelineModel } from './model';

export const TIMELINE_CLASS = 'jp-MemoryUsage-timeline';

const MEMORY_ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161"><path d="M6 4h12a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm1 12h2v-5H7zm4 0h2V8h-2zm4 0h2v-3h-2z"/></g></svg>`;

export const memoryIcon = new LabIcon({
  name: 'jupyterlab-memory-usage:memory',
  svgstr: MEMORY_ICON_SVG
});

/**
 * The timeline side panel. Draws only while visible: a hidden panel notes that
 * it is out of date and catches up when shown.
 */
export class TimelinePanel extends ReactWidget {
  constructor(
    readonly model: TimelineModel,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass(TIMELINE_CLASS);
    this.id = 'jp-MemoryUsage-timeline';
    this.title.icon = memoryIcon;
    this.title.caption = _trans.__('Memory Timeline');
    this.node.dataset.executions = '0';
    model.changed.connect(this._onModelChanged, this);
  }

  dispose(): void {
    this.model.changed.disconnect(this._onModelChanged, this);
    super.dispose();
  }

  protected onAfterShow(): void {
    this.model.shown = true;
    if (this._stale) {
      this.update();
    }
  }

  protected onAfterHide(): void {
    this.model.shown = false;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.shown = this.isVisible;
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.shown = false;
    super.onBeforeDetach(msg);
  }

  protected render(): JSX.Element {
    this._stale = false;
    const model = this.model;
    const executions = model.notice ? [] : model.executions();
    this.node.dataset.executions = String(executions.length);
    const drawn = model.drawn(executions);
    // What only the other section shows is not computed at each live update.
    const cells = model.section === 'cells';
    const variables = model.variables;
    return (
      <TimelineBody
        notice={model.notice}
        state={model.state}
        executions={executions}
        drawn={drawn}
        series={cells ? [] : model.series(drawn)}
        selected={cells ? model.selected(executions) : null}
        heaviest={cells ? model.heaviest(executions) : []}
        heaviestOrder={model.heaviestOrder}
        units={model.units}
        trans={this._trans}
        onReveal={cellId => void model.revealCell(cellId)}
        onOrder={order => (model.heaviestOrder = order)}
        section={model.section}
        chartView={model.chartView}
        onSection={section => (model.section = section)}
        variables={
          model.section === 'variables'
            ? {
                reply: variables.reply,
                view: model.variablesView(this._trans),
                error: variables.error,
                loading: variables.loading,
                busy: variables.busy,
                thresholdBytes: variables.thresholdBytes,
                units: model.units,
                trans: this._trans,
                onRefresh: () => void variables.refresh(),
                onReveal: cellId => void model.revealCell(cellId)
              }
            : null
        }
      />
    );
  }

  private _onModelChanged(): void {
    if (this.isVisible) {
      this.update();
    } else {
      this._stale = true;
    }
  }

  private _stale = true;
}
