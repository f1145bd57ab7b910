/**
 * Command ids, one style: `memory-usage:<verb>-<noun>`.
 */
export namespace CommandIDs {
  export const toggleMonitoring = 'memory-usage:toggle-monitoring';
  export const toggleBadges = 'memory-usage:toggle-badges';
}

export const COMMAND_CATEGORY = 'Memory Usage';
