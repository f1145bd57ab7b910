/**
 * Command ids, one style: `memory-usage:<verb>-<noun>`.
 */
export namespace CommandIDs {
  export const toggleMonitoring = 'memory-usage:toggle-monitoring';
  export const toggleBadges = 'memory-usage:toggle-badges';
  export const openTimeline = 'memory-usage:open-timeline';
  export const exportRecords = 'memory-usage:export';
  export const clearHistory = 'memory-usage:clear';
  export const toggleHeapMode = 'memory-usage:toggle-heap-mode';
  export const profileLines = 'memory-usage:profile-lines';
  export const cancelLineProfile = 'memory-usage:cancel-line-profile';
  export const clearLineProfile = 'memory-usage:clear-line-profile';
}

export const COMMAND_CATEGORY = 'Memory Usage';
