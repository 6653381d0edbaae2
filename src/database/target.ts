// A target database: one dialect, one connection, and what om-import does with it before writing.
import { TargetError } from '../errors.js';
import type { TargetDialect } from './dialect.js';
import { planMigration, runMigration, type MigrationHooks, type MigrationStep } from './migration.js';
import { currentSchemaVersion } from './schema-definition.js';
import { schemaState, type SchemaFacts, type SchemaState } from './schema-state.js';
import type { SqlExecutor } from './sql-executor.js';
import { ownTablePrefix } from './table-names.js';

export interface Inspection {
  state: SchemaState;
  facts: SchemaFacts;
}

export interface MigrationResult {
  /** The state before migrating. */
  before: SchemaState;
  /** The state after (equal to `before` in a dry run). */
  after: SchemaState;
  steps: MigrationStep[];
  /** Where the backup copy was written (SQLite, when something changed). */
  backupPath: string | null;
  dryRun: boolean;
}

export interface MigrateOptions extends MigrationHooks {
  dryRun?: boolean;
  now?: number;
  /** Add OpenMemory's tables to a SQLite file holding another application's tables and none of OpenMemory's. */
  allowOtherTables?: boolean;
}

export class Target {
  constructor(
    readonly dialect: TargetDialect,
    readonly executor: SqlExecutor,
    /** Redacted description for messages, e.g. `SQLite ./data/openmemory.sqlite`. */
    readonly description: string,
    /** Makes a consistent copy of the database before a migration changes it; answers its path. */
    private readonly backup: (() => Promise<string>) | null,
    /** Called once a migration is about to write (a missing SQLite file then counts as existing). */
    private readonly beforeFirstWrite: () => Promise<void> = async () => undefined,
  ) {}

  async inspect(): Promise<Inspection> {
    const facts = await this.dialect.introspect(this.executor);
    return { facts, state: schemaState(facts, this.dialect.tables, this.dialect.ddl) };
  }

  /** Brings the database to v1.2 (or, with `dryRun`, only says how). Running it again is a no-op. */
  async migrate(options: MigrateOptions = {}): Promise<MigrationResult> {
    const { facts, state: before } = await this.inspect();
    this.refuseOtherApplications(facts, before, options);
    const steps = planMigration(facts, this.dialect, options.now ?? Date.now());
    if (options.dryRun || steps.length === 0) {
      return { before, after: before, steps, backupPath: null, dryRun: !!options.dryRun };
    }
    const needsBackup = before.name !== 'missing' && before.name !== 'empty';
    const backupPath = needsBackup && this.backup ? await this.backup() : null;
    await this.beforeFirstWrite();
    try {
      await runMigration(this.executor, steps, options);
    } catch (error) {
      // Another process (a shard started at the same moment on a new SQLite file) migrated it meanwhile: nothing is left to do.
      const { facts: now, state: after } = await this.inspect();
      if (planMigration(now, this.dialect, options.now ?? Date.now()).length === 0) return { before, after, steps: [], backupPath, dryRun: false };
      const where = backupPath ? `; the database is unchanged and a copy is at ${backupPath}` : '; the database is unchanged';
      throw new TargetError(`migration to ${currentSchemaVersion} of ${this.description} failed: ${(error as Error).message}${where}`, { cause: error });
    }
    const { state: after } = await this.inspect();
    return { before, after, steps, backupPath, dryRun: false };
  }

  /**
   * A SQLite file with tables but none of OpenMemory's is another application's database (a --db typo): refused,
   * unless told. A PostgreSQL schema often holds other applications' tables beside OpenMemory's; it is not refused.
   */
  private refuseOtherApplications(facts: SchemaFacts, state: SchemaState, options: MigrateOptions): void {
    if (state.name !== 'empty' || this.dialect.name !== 'sqlite' || options.allowOtherTables) return;
    const others = [...facts.tables.keys()].filter((table) => !table.startsWith(ownTablePrefix) && table !== 'schema_version').sort();
    if (others.length === 0) return;
    const shown = others.slice(0, 3).join(', ') + (others.length > 3 ? ` and ${others.length - 3} more` : '');
    throw new TargetError(`${this.description} holds another application's tables (${shown}) and none of OpenMemory's: nothing was written`, {
      hint: "name OpenMemory's database (or a new file) with --db, or pass --allow-other-tables to add OpenMemory's tables beside them",
    });
  }

  /** Refuses to go on unless the database is v1.2 (or a newer schema that keeps v1.2's tables). */
  async requireV12(): Promise<SchemaState> {
    const { state } = await this.inspect();
    if (state.name !== 'v1.2' && state.name !== 'newer') {
      const lacking = state.missing.length > 0 ? ` (missing: ${state.missing.join(', ')})` : '';
      throw new TargetError(`${this.description} is ${state.name}${lacking}, not OpenMemory v1.2`, {
        hint: 'run `om-import migrate` first, or drop --no-migrate',
      });
    }
    return state;
  }

  async close(): Promise<void> {
    await this.executor.close();
  }
}
