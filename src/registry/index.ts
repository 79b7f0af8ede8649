/** The model registry's public surface: what the `register` step, `models` and `predict` use. */
export { Registry, REGISTRY_FILE, currentUser } from './registry.js';
export type { RegisterInput, ModelVersion, ModelSummary, Comparison, AuditResult, RegistryOptions, JsonObject } from './types.js';
export { RegistryError, type RegistryErrorKind } from './errors.js';
export { parseRef, formatRef, type ModelRef, type VersionSelector } from './names.js';
export { exportVersion, readVerifiedBundle } from './bundle.js';
export { formatHead, parseHead, type ChainHead } from './head.js';
export type { MetricComparison } from './compare.js';
export type { AuditRecord, AuditAction } from './audit.js';
export type { MonitoringCheck, MonitoringInput } from './monitoring.js';
