// The v5 read operations of the OpenAPI 3.1 document (fixtures/supermemory/v5-openapi-reads.json, transcribed from
// supermemoryai/sdk-ts fern/openapi.json at the commit in its `info.x-source`) as checks: is a request one the spec
// allows (v5RequestProblems, for asserting that an adapter only sends valid requests), and is a response what the
// spec promises (v5ResponseProblems, for the fake's contract test). Schemas are JSON Schema 2020-12, checked by ajv.
//
// Taken from the wire note instead of the spec: `cursor` (changelog of 2026-11-02) is accepted as a query parameter
// of the list operation, since neither stored spec has it, but not together with `page`; `sort=position` is refused
// outside chunks (the spec's enum allows it for every type). `nextCursor` in `pagination` needs no rule: the spec's
// pagination object allows extra keys.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

type JsonSchema = Record<string, unknown>;

interface OpenApiParameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

interface OpenApiMedia {
  schema: JsonSchema;
}

interface OpenApiOperation {
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content: Record<string, OpenApiMedia> };
  responses: Record<string, { content?: Record<string, OpenApiMedia> }>;
}

export interface V5OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; 'x-source'?: string };
  components: { schemas: Record<string, JsonSchema> };
  paths: Record<string, Record<string, OpenApiOperation>>;
}

export interface V5OperationMatch {
  method: string;
  /** The spec's path template, e.g. `/ns/{namespace}/list/{type}`. */
  template: string;
  operation: OpenApiOperation;
  /** Decoded path parameters. */
  pathParameters: Record<string, string>;
}

const specFile = path.join('fixtures', 'supermemory', 'v5-openapi-reads.json');

/** The project root holding the fixture: found by walking up, so this works from test/ and from dist/test/. */
function specPath(): string {
  for (let folder = path.dirname(fileURLToPath(import.meta.url)); ; folder = path.dirname(folder)) {
    const candidate = path.join(folder, specFile);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(folder) === folder) throw new Error(`${specFile} not found above ${import.meta.url}`);
  }
}

let loadedSpec: V5OpenApiDocument | undefined;

export function v5OpenApiReads(): V5OpenApiDocument {
  loadedSpec ??= JSON.parse(readFileSync(specPath(), 'utf8')) as V5OpenApiDocument;
  return loadedSpec;
}

// --- Schemas -------------------------------------------------------------------------------------------------------

/** RFC 3339 date-time (any offset): ajv needs the format defined, and ajv-formats is not a dependency. */
const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

/** A validator for one schema of the document; `#/components/...` refs resolve because the components ride along. */
function validatorFor(cacheKey: string, schema: JsonSchema): ValidateFunction {
  const cached = compiled.get(cacheKey);
  if (cached) return cached;
  // strict: false because OpenAPI schemas carry keywords JSON Schema does not know (and `components` rides along).
  ajv ??= new Ajv2020({ strict: false, allErrors: true }).addFormat('date-time', {
    type: 'string',
    validate: (value: string) => dateTime.test(value) && !Number.isNaN(Date.parse(value)),
  });
  const validate = ajv.compile({ ...schema, components: v5OpenApiReads().components });
  compiled.set(cacheKey, validate);
  return validate;
}

function describe(errors: ErrorObject[] | null | undefined, where: string): string[] {
  return (errors ?? []).map((error) => {
    const extra = error.keyword === 'additionalProperties' ? ` ('${String(error.params['additionalProperty'])}')` : '';
    return `${where}${error.instancePath || ''}: ${error.message ?? error.keyword}${extra}`;
  });
}

// --- Operations ----------------------------------------------------------------------------------------------------

function templatePattern(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      const name = /^\{(.+)\}$/.exec(segment)?.[1];
      if (name === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), names };
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The operation a path (no query) and method name, with its path parameters; null when the spec has none. */
export function matchV5Operation(method: string, pathname: string): V5OperationMatch | null {
  for (const [template, operations] of Object.entries(v5OpenApiReads().paths)) {
    const { pattern, names } = templatePattern(template);
    const found = pattern.exec(pathname);
    const operation = operations[method.toLowerCase()];
    if (!found || !operation) continue;
    const pathParameters = Object.fromEntries(names.map((name, index) => [name, decoded(found[index + 1] ?? '')]));
    return { method: method.toUpperCase(), template, operation, pathParameters };
  }
  return null;
}

/** The note's cursor (2026-11-02): a query parameter of the list operation, an opaque non-empty string. */
const noteOnlyQueryParameters: Record<string, OpenApiParameter[]> = {
  '/ns/{namespace}/list/{type}': [{ in: 'query', name: 'cursor', schema: { type: 'string', minLength: 1 } }],
};

/** A query value as the schema's type: integers and numbers from digits, arrays from a comma-separated list. */
function typedQueryValue(raw: string, schema: JsonSchema): unknown {
  if (schema['type'] === 'array') return raw.split(',');
  if ((schema['type'] === 'integer' || schema['type'] === 'number') && /^-?\d+(?:\.\d+)?$/.test(raw)) return Number(raw);
  if (schema['type'] === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

function parameterProblems(match: V5OperationMatch, query: URLSearchParams): string[] {
  const problems: string[] = [];
  const declared = [...(match.operation.parameters ?? []), ...(noteOnlyQueryParameters[match.template] ?? [])];
  const key = `${match.method} ${match.template}`;
  for (const parameter of declared.filter((candidate) => candidate.in === 'path')) {
    const validate = validatorFor(`${key} path ${parameter.name}`, parameter.schema);
    if (!validate(match.pathParameters[parameter.name])) problems.push(...describe(validate.errors, `path parameter ${parameter.name}`));
  }
  const queryParameters = new Map(declared.filter((candidate) => candidate.in === 'query').map((candidate) => [candidate.name, candidate]));
  for (const name of new Set(query.keys())) {
    const parameter = queryParameters.get(name);
    if (!parameter) {
      problems.push(`query parameter ${name} is not declared for ${key}`);
      continue;
    }
    const values = query.getAll(name);
    if (values.length > 1) problems.push(`query parameter ${name} is repeated (the spec wants one value${parameter.schema['type'] === 'array' ? ', comma-separated' : ''})`);
    const validate = validatorFor(`${key} query ${name}`, parameter.schema);
    if (!validate(typedQueryValue(values[0] ?? '', parameter.schema))) problems.push(...describe(validate.errors, `query parameter ${name}`));
  }
  if (query.has('cursor') && query.has('page')) problems.push('page and cursor together: a cursor walk sends no page (the note, §4.1)');
  const type = match.pathParameters['type'];
  if (query.get('sort') === 'position' && type !== undefined && type !== 'chunks') {
    problems.push(`sort=position on ${type}: the spec's enum allows it, but it sorts chunks only (the note, §4.1)`);
  }
  return problems;
}

function bodyProblems(match: V5OperationMatch, body: string): string[] {
  const requestBody = match.operation.requestBody;
  const key = `${match.method} ${match.template}`;
  if (!requestBody) return body.trim() === '' ? [] : [`${key} takes no body`];
  if (body.trim() === '') return requestBody.required ? [`${key} requires a body`] : [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return ['body is not JSON'];
  }
  const schema = requestBody.content['application/json']?.schema;
  if (!schema) return [`${key} has no JSON body schema`];
  const validate = validatorFor(`${key} body`, schema);
  if (validate(parsed)) return [];
  const queryNames = new Set([...(match.operation.parameters ?? []), ...(noteOnlyQueryParameters[match.template] ?? [])].map((parameter) => parameter.name));
  return (validate.errors ?? []).map((error) => {
    const property = error.keyword === 'additionalProperties' ? String(error.params['additionalProperty']) : null;
    if (property !== null && error.instancePath === '' && queryNames.has(property)) return `body key ${property} is misplaced: it belongs in the query string`;
    return describe([error], 'body')[0] ?? 'body is invalid';
  });
}

/**
 * What is wrong with a request against the v5 read operations, as recorded by serveHandlers (`path` with its query
 * string): an unknown route (a `/v5` prefix included), a path or query parameter the operation does not declare or
 * whose value its schema refuses, a repeated parameter, a body where none is taken, or a body its schema refuses
 * (paging keys in a list body are reported as misplaced). An empty list means the request is valid.
 */
export function v5RequestProblems(request: { method: string; path: string; body: string }): string[] {
  const url = new URL(request.path, 'http://fake.invalid');
  const match = matchV5Operation(request.method, url.pathname);
  if (!match) {
    const prefix = /^\/v\d+\//.test(url.pathname) ? ' (v5 routes are unversioned: no /vN prefix)' : '';
    return [`no v5 read operation ${request.method.toUpperCase()} ${url.pathname}${prefix}`];
  }
  return [...parameterProblems(match, url.searchParams), ...bodyProblems(match, request.body)];
}

/**
 * What is wrong with a response against the operation's declared response for its status and content type. A status
 * the operation does not declare is itself a problem (the caller decides which such answers the note allows).
 */
export function v5ResponseProblems(response: { method: string; path: string; status: number; contentType: string; body: string }): string[] {
  const url = new URL(response.path, 'http://fake.invalid');
  const match = matchV5Operation(response.method, url.pathname);
  if (!match) return [`no v5 read operation ${response.method.toUpperCase()} ${url.pathname}`];
  const key = `${match.method} ${match.template}`;
  const declared = match.operation.responses[String(response.status)];
  if (!declared) return [`${key} declares no ${response.status} response`];
  const mediaType = response.contentType.split(';')[0]?.trim() ?? '';
  const media = declared.content?.[mediaType];
  if (!media) return [`${key} ${response.status} declares no ${mediaType} body`];
  let parsed: unknown = response.body;
  if (mediaType === 'application/json') {
    try {
      parsed = JSON.parse(response.body);
    } catch {
      return [`${key} ${response.status}: the body is not JSON`];
    }
  }
  const validate = validatorFor(`${key} ${response.status} ${mediaType}`, media.schema);
  return validate(parsed) ? [] : describe(validate.errors, `${key} ${response.status} response`);
}

/** Whether the operation of a request declares a response for `status` (429 and 402 are declared nowhere, §8). */
export function v5ResponseDeclared(method: string, path: string, status: number): boolean {
  const match = matchV5Operation(method, new URL(path, 'http://fake.invalid').pathname);
  return match !== null && match.operation.responses[String(status)] !== undefined;
}

/** Validates a body against one of the spec's component schemas (ErrorResponse, ValidationErrorResponse, …). */
export function v5ComponentProblems(name: string, body: unknown): string[] {
  const validate = validatorFor(`component ${name}`, { $ref: `#/components/schemas/${name}` });
  return validate(body) ? [] : describe(validate.errors, name);
}
