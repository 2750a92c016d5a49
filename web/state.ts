/**
 * What the page exposes on `window.recurPage` for tests and the curious (types only, no DOM: the Node
 * tests import them).
 */
import type { Measurement, Settings } from './explore.js';
import type { TaskName, TrainSummary } from './train.js';

/** The training view's state. */
export interface TrainingState {
  running: boolean;
  task: TaskName;
  /** Losses of the current run, and how many of them the plot shows once it is done. */
  losses: number[];
  plotted: number;
  /** Gradient snapshots taken, and how many heatmap rows are drawn. */
  snapshots: number;
  heatmapRows: number;
  summary: TrainSummary | null;
}

/** The results view's state: the figures of the open export, the one shown, the trials it holds. */
export interface ResultsState {
  figures: string[];
  shown: string | null;
  trials: number;
}

/** What page.run returns: the decay measurement, the training losses, and how many kernel calls were split. */
export interface RunNumbers {
  norm: number[];
  rate: number;
  lyapunov: number;
  losses: number[];
  splitCalls: number;
}

export interface PageState {
  ready: boolean;
  /** Threads the kernels run on, and the page's sentence about it. */
  threads: number;
  mode: string;
  measurement: Measurement | null;
  /** How many measurements have been plotted. */
  plotted: number;
  training: TrainingState;
  results: ResultsState;
  errors: string[];
  /** Train the current settings for `steps` steps with no plotting; resolves to steps per second. */
  bench?: (steps: number) => Promise<number>;
  /**
   * Measure `s` and train it `steps` steps (adding, no plots): the numbers the thread test compares. With
   * `backoffMs` on a threaded page: on a fresh backend with that back-off (0: every large call is split).
   */
  run?: (s: Settings, steps: number, options?: { backoffMs?: number }) => Promise<RunNumbers>;
}
