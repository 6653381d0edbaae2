// om-import's programmatic API: everything the CLI does, as functions and types.
export { importFrom, type ImportOptions, type ProgressEvent } from './pipeline/import.js';
export type { ImportReport, TenantReport, UserReport } from './pipeline/report.js';
export { formatReport, type FormatReportOptions } from './pipeline/report.js';
export { loadTenantMap, TenantMap, type UnmappedPolicy } from './pipeline/tenant-map.js';
export { memoryId } from './pipeline/memory-identity.js';
export { migrate } from './migrate.js';
export {
  verifyDatabase, compareWithSource, formatVerification, describeViolation, violationKinds, violationDescriptions,
  type DatabaseVerification, type Violation, type ViolationKind, type VerifyOptions, type SourceComparison, type CompareOptions,
  type MissingFromDatabase, type MissingFromSource,
} from './verify.js';
export {
  databaseStatus, formatStatus, type DatabaseStatus, type AccountStatus, type RunStatus, type RunStateName, type ResumeStatus,
  type IncrementalStatus, type NextRunStatus, type UserStatus, type OtherTarget,
} from './status.js';
export { openTarget, resolveTargetConfig, type TargetConfig, type TargetFlags } from './database/open-target.js';
export type { MigrationResult } from './database/target.js';
export type { SchemaState, SchemaStateName } from './database/schema-state.js';
export type { MemoryRecord, RecordStatus, TenantRecord, SkippedRecord, SkipKind, Source, SourceItem, Partition } from './records.js';
export { skipKinds } from './records.js';
export { openMemoryVersions, type OpenMemoryVersion } from './openmemory/openmemory-version.js';
export type { OpenMemoryRows } from './openmemory/embedding-config.js';
export { mem0Source, type Mem0SourceOptions } from '../adapters/mem0/index.js';
export { UsageError, TargetError, SourceError, AuthenticationError, InterruptedError } from './errors.js';
