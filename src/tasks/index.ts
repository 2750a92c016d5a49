/** Tasks: seeded generators and dataset loaders behind one `Task` interface, and the registry. */
export type { Batch, Task, TaskScore } from './task.js';
export { formatIssues, parseConfig, prepareBatch, type ConfigProblem } from './common.js';
export {
  addingTask,
  addingConfigSchema,
  addingDefinition,
  originalAddingBaseline,
  PASCANU_ADDING_SOLVED_MSE,
  type AddingConfig,
} from './adding.js';
export {
  copyTask,
  copyConfigSchema,
  copyDefinition,
  copyRecallStart,
  recallAccuracy,
  type CopyConfig,
} from './copy.js';
export {
  temporalOrderTask,
  temporalOrderConfigSchema,
  temporalOrderDefinition,
  temporalOrderWindows,
  temporalOrderConfigProblems,
  TEMPORAL_ORDER_SYMBOLS,
  PASCANU_ORDER_SYMBOLS,
  type TemporalOrderConfig,
  type TemporalOrderVariant,
} from './temporal-order.js';
export {
  teacherTask,
  teacherConfigSchema,
  teacherDefinition,
  teacherWeights,
  type TeacherConfig,
  type TeacherWeights,
} from './teacher.js';
export { teacherMemory, type TeacherMemory, type TeacherMemoryOptions } from './teacher-memory.js';
export { memoryTask, memoryConfigSchema, memoryDefinition, memoryKernel, type MemoryConfig } from './memory.js';
export {
  chaosTask,
  chaosConfigSchema,
  chaosConfigProblems,
  chaosDefinition,
  chaosWashout,
  lorenzStep,
  LORENZ,
  type ChaosConfig,
} from './chaos.js';
export {
  mnistTask,
  mnistConfigSchema,
  mnistDefinition,
  loadMnist,
  readIdx,
  mnistPermutation,
  defaultMnistDir,
  type MnistConfig,
  type MnistSplit,
} from './mnist.js';
export { textTask, textConfigSchema, textDefinition, type TextConfig, type TextTask } from './text.js';
export {
  createTask,
  parseTaskSpec,
  listTasks,
  taskSpecSchema,
  taskKinds,
  type TaskKind,
  type TaskSpec,
  type ResolvedTaskSpec,
  type TaskInfo,
  type TaskParameter,
} from './registry.js';
