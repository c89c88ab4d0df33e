/** Every workflow, re-exported for the worker bundle. Deterministic code only below this folder. */
export { registration } from './registration';
