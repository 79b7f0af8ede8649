/**
 * The built-in step types, by the name used in `uses:`. Adding a step type touches its own file
 * and this list, nothing else.
 */
import type { StepType } from '../engine/step-type.js';

const builtins: readonly StepType[] = [];

export const builtinSteps: ReadonlyMap<string, StepType> = new Map(builtins.map((s) => [s.id, s]));
