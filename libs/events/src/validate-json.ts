import { ScalarType, getOption, hasOption } from '@bufbuild/protobuf';
import type { DescEnum, DescField, DescMessage } from '@bufbuild/protobuf';
import { field as fieldRules } from './gen/beesting/v1/options_pb.js';
import { MessageValidationError } from './message-error.js';

// Checks a parsed JSON value against a message descriptor before protobuf-es converts
// it, so that every error names the full path of the field (`opener.process.pid`)
// and the strict rules the wire contract needs hold: no unknown keys, no wrong types,
// no unknown enum values, and the fields marked `(beesting.v1.field).required` set.

type Json = unknown;

const INT32 = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
const UINT32 = { min: 0n, max: 2n ** 32n - 1n };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UINT64 = { min: 0n, max: 2n ** 64n - 1n };
const INTEGER_STRING = /^-?(0|[1-9][0-9]*)$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function validateMessageJson(desc: DescMessage, json: Json): void {
  new Walker(desc.typeName).message(desc, json, '');
}

class Walker {
  constructor(private readonly rootType: string) {}

  message(desc: DescMessage, json: Json, path: string): void {
    if (desc.typeName === 'google.protobuf.Timestamp') {
      if (typeof json !== 'string' || !RFC3339.test(json)) this.fail(path, `expected an RFC 3339 timestamp, got ${show(json)}`);
      return;
    }
    if (!isPlainObject(json)) this.fail(path, `expected an object, got ${show(json)}`);
    const seen = new Set<DescField>();
    for (const [key, value] of Object.entries(json)) {
      const field = desc.fields.find((f) => f.jsonName === key || f.name === key);
      const at = join(path, key);
      if (!field) this.fail(at, 'unknown field');
      if (seen.has(field)) this.fail(at, 'set twice (by its JSON and its proto name)');
      seen.add(field);
      if (value !== null) this.field(field, value, at);
    }
    for (const field of desc.fields) {
      if (!hasOption(field, fieldRules) || !getOption(field, fieldRules).required) continue;
      const value = json[field.jsonName] ?? json[field.name];
      if (isDefault(field, value)) this.fail(join(path, field.jsonName), 'required field is missing');
    }
  }

  private field(field: DescField, value: Json, path: string): void {
    switch (field.fieldKind) {
      case 'scalar':
        return this.scalar(field.scalar, value, path);
      case 'enum':
        return this.enumValue(field.enum, value, path);
      case 'message':
        return this.message(field.message, value, path);
      case 'list': {
        if (!Array.isArray(value)) this.fail(path, `expected an array, got ${show(value)}`);
        value.forEach((item, i) => {
          const at = `${path}[${i}]`;
          if (item === null) this.fail(at, 'list items must not be null');
          if (field.listKind === 'scalar') this.scalar(field.scalar, item, at);
          else if (field.listKind === 'enum') this.enumValue(field.enum, item, at);
          else this.message(field.message, item, at);
        });
        return;
      }
      case 'map': {
        if (!isPlainObject(value)) this.fail(path, `expected an object, got ${show(value)}`);
        for (const [key, item] of Object.entries(value)) {
          const at = `${path}[${JSON.stringify(key)}]`;
          if (item === null) this.fail(at, 'map values must not be null');
          if (field.mapKind === 'scalar') this.scalar(field.scalar, item, at);
          else if (field.mapKind === 'enum') this.enumValue(field.enum, item, at);
          else this.message(field.message, item, at);
        }
        return;
      }
    }
  }

  private scalar(type: ScalarType, value: Json, path: string): void {
    switch (type) {
      case ScalarType.STRING:
        if (typeof value !== 'string') this.fail(path, `expected a string, got ${show(value)}`);
        return;
      case ScalarType.BOOL:
        if (typeof value !== 'boolean') this.fail(path, `expected a boolean, got ${show(value)}`);
        return;
      case ScalarType.BYTES:
        if (typeof value !== 'string' || !BASE64.test(value)) this.fail(path, `expected base64 bytes, got ${show(value)}`);
        return;
      case ScalarType.DOUBLE:
      case ScalarType.FLOAT:
        if (typeof value === 'number' && Number.isFinite(value)) return;
        if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return;
        this.fail(path, `expected a number, got ${show(value)}`);
        return;
      case ScalarType.INT32:
      case ScalarType.SINT32:
      case ScalarType.SFIXED32:
        return this.integer(value, INT32, 'int32', path);
      case ScalarType.UINT32:
      case ScalarType.FIXED32:
        return this.integer(value, UINT32, 'uint32', path);
      case ScalarType.INT64:
      case ScalarType.SINT64:
      case ScalarType.SFIXED64:
        return this.integer(value, INT64, 'int64', path);
      case ScalarType.UINT64:
      case ScalarType.FIXED64:
        return this.integer(value, UINT64, 'uint64', path);
    }
  }

  private integer(value: Json, range: { min: bigint; max: bigint }, name: string, path: string): void {
    let n: bigint | undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
    else if (typeof value === 'string' && INTEGER_STRING.test(value)) n = BigInt(value);
    if (n === undefined) this.fail(path, `expected an integer (${name}), got ${show(value)}`);
    if (n < range.min || n > range.max) this.fail(path, `${show(value)} is out of range for ${name}`);
  }

  private enumValue(desc: DescEnum, value: Json, path: string): void {
    const known =
      typeof value === 'string'
        ? desc.values.some((v) => v.name === value)
        : typeof value === 'number' && desc.values.some((v) => v.number === value);
    if (!known) this.fail(path, `unknown ${desc.typeName} value ${show(value)}`);
  }

  private fail(path: string, reason: string): never {
    throw new MessageValidationError(this.rootType, path, reason);
  }
}

function isDefault(field: DescField, value: Json): boolean {
  if (value === undefined || value === null) return true;
  switch (field.fieldKind) {
    case 'list':
      return Array.isArray(value) && value.length === 0;
    case 'map':
      return isPlainObject(value) && Object.keys(value).length === 0;
    case 'message':
      return false;
    case 'enum':
      return value === 0 || value === field.enum.values.find((v) => v.number === 0)?.name;
    case 'scalar':
      return value === '' || value === 0 || value === '0' || value === false;
  }
}

function isPlainObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function show(value: Json): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
