// The variables om-import reads: the process environment over OpenMemory's `.env` (as dotenv does).
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { UsageError } from '../errors.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** `explicitFile` (--env-file) must exist; otherwise `./.env` is read when present. */
export function loadEnvironment(explicitFile: string | undefined, processEnv: Environment = process.env): Environment {
  const file = explicitFile ?? (existsSync('.env') ? '.env' : undefined);
  if (file === undefined) return processEnv;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`--env-file ${file}: cannot read it`);
  }
  return { ...parseEnv(text), ...processEnv };
}

/** Removes every known secret from a text before it is shown. */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: readonly (string | undefined)[]) {
    this.secrets = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4))].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      result = result.split(secret).join('***');
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) result = result.split(encoded).join('***');
    }
    return result;
  }
}

/** The secrets a run may know: API keys and database passwords from flags and the environment. */
export function knownSecrets(env: Environment, flags: { apiKey?: string | undefined; pg?: string | undefined }): (string | undefined)[] {
  let urlPassword: string | undefined;
  try {
    urlPassword = flags.pg ? decodeURIComponent(new URL(flags.pg).password) || undefined : undefined;
  } catch {
    urlPassword = undefined;
  }
  return [
    flags.apiKey, urlPassword, env['MEM0_API_KEY'], env['ZEP_API_KEY'], env['SUPERMEMORY_API_KEY'], env['OM_PG_PASSWORD'],
    env['OPENAI_API_KEY'], env['OM_OPENAI_API_KEY'], env['OM_API_KEY'],
  ];
}
