import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

/** The panel's sections, in their order on the tab bar. */
export const SECTIONS = ['timeline', 'cells', 'variables'] as const;
export type Section = (typeof SECTIONS)[number];

export function isSection(value: unknown): value is Section {
  return (SECTIONS as readonly unknown[]).includes(value);
}

function sectionLabel(section: Section, trans: TranslationBundle): string {
  switch (section) {
    case 'timeline':
      return trans.__('Timeline');
    case 'cells':
      return trans.__('Cells');
    case 'variables':
      return trans.__('Variables');
  }
}

export interface ISectionTabsProps {
  section: Section;
  trans: TranslationBundle;
  onSection: (section: Section) => void;
}

/**
 * The section switcher: a tab list (arrow keys move between tabs, as in
 * JupyterLab's own tab bars; Tab leaves the list).
 */
export function SectionTabs(props: ISectionTabsProps): JSX.Element {
  const { section, trans, onSection } = props;
  const tabs = React.useRef<(HTMLButtonElement | null)[]>([]);
  const move = (from: number, step: number) => {
    const next = (from + step + SECTIONS.length) % SECTIONS.length;
    onSection(SECTIONS[next]);
    tabs.current[next]?.focus();
  };
  return (
    <div className="jp-MemoryUsage-sectionTabs" role="tablist" aria-label={trans.__('Memory panel sections')}>
      {SECTIONS.map((s, index) => (
        <button
          key={s}
          ref={el => (tabs.current[index] = el)}
          type="button"
          role="tab"
          id={`jp-MemoryUsage-tab-${s}`}
          aria-controls={`jp-MemoryUsage-section-${s}`}
          aria-selected={s === section}
          tabIndex={s === section ? 0 : -1}
          className="jp-MemoryUsage-sectionTab"
          data-section={s}
          onClick={() => onSection(s)}
          onKeyDown={e => {
            if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
              e.preventDefault();
              move(index, e.key === 'ArrowRight' ? 1 : -1);
            }
          }}
        >
          {sectionLabel(s, trans)}
        </button>
      ))}
    </div>
  );
}
