// Validation of one container of a pod spec: name, image, ports, env, resources, probes, mounts.
// Messages follow pkg/apis/core/validation so that kubectl shows what a real cluster shows.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import { validateLabelName } from '../../../machinery/validation/labels.js';
import {
  isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isValidPortName, isValidPortNum,
} from '../../../machinery/validation/names.js';
import { canonicalQuantity, compareQuantities, isValidQuantity, QUANTITY_REGEX_MESSAGE } from '../../../machinery/validation/quantity.js';

type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

export function validateDNS1123LabelField(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((msg) => fieldErrors.invalid(path, value, msg));
}

export function validateNonNegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [fieldErrors.invalid(path, value, 'must be greater than or equal to 0')] : [];
}

/** An int-or-string port: a number in 1..65535 or an IANA port name. */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((msg) => fieldErrors.invalid(path, port, msg));
  if (typeof port === 'string') {
    if (port === '') return [fieldErrors.required(path)];
    return isValidPortName(port).map((msg) => fieldErrors.invalid(path, port, msg));
  }
  return [fieldErrors.invalid(path, port ?? null, 'invalid type: must be an integer or a string')];
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export function validateProtocol(protocol: unknown, path: string): FieldError[] {
  const value = str(protocol);
  if (value === '') return [fieldErrors.required(path)];
  return PROTOCOLS.includes(value) ? [] : [fieldErrors.notSupported(path, value, PROTOCOLS)];
}

function validateContainerPorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  objects(ports).forEach((port, i) => {
    const p = `${path}[${i}]`;
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) errs.push(...msgs.map((m) => fieldErrors.invalid(`${p}.name`, name, m)));
      else if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
      else names.add(name);
    }
    if (!port.containerPort) errs.push(fieldErrors.required(`${p}.containerPort`));
    else errs.push(...isValidPortNum(Number(port.containerPort)).map((m) => fieldErrors.invalid(`${p}.containerPort`, port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(Number(port.hostPort)).map((m) => fieldErrors.invalid(`${p}.hostPort`, port.hostPort, m)));
    errs.push(...validateProtocol(port.protocol, `${p}.protocol`));
  });
  return errs;
}

function validateKeySelector(ref: Json, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const key = str(ref.key);
  if (!key) errs.push(fieldErrors.required(`${path}.key`));
  else errs.push(...isConfigMapKey(key).map((m) => fieldErrors.invalid(`${path}.key`, key, m)));
  const name = str(ref.name);
  if (!name) errs.push(fieldErrors.required(`${path}.name`));
  else errs.push(...isDNS1123Subdomain(name).map((m) => fieldErrors.invalid(`${path}.name`, name, m)));
  return errs;
}

function validateEnvVarValueFrom(env: Json, path: string): FieldError[] {
  const from = env.valueFrom as Json;
  const errs: FieldError[] = [];
  const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => isObject(from[k]));
  if (isObject(from.fieldRef)) {
    if (!str(from.fieldRef.fieldPath)) errs.push(fieldErrors.required(`${path}.fieldRef.fieldPath`));
  }
  if (isObject(from.resourceFieldRef) && !str(from.resourceFieldRef.resource)) errs.push(fieldErrors.required(`${path}.resourceFieldRef.resource`));
  if (isObject(from.configMapKeyRef)) errs.push(...validateKeySelector(from.configMapKeyRef, `${path}.configMapKeyRef`));
  if (isObject(from.secretKeyRef)) errs.push(...validateKeySelector(from.secretKeyRef, `${path}.secretKeyRef`));
  if (sources.length === 0) {
    errs.push(fieldErrors.invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  } else if (sources.length > 1) {
    errs.push(fieldErrors.invalid(path, '', 'may not have more than one field specified at a time'));
  } else if (str(env.value) !== '') {
    errs.push(fieldErrors.invalid(path, '', 'may not be specified when `value` is not empty'));
  }
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objects(env).forEach((item, i) => {
    const p = `${path}[${i}]`;
    const name = str(item.name);
    if (!name) errs.push(fieldErrors.required(`${p}.name`));
    else errs.push(...isEnvVarName(name).map((m) => fieldErrors.invalid(`${p}.name`, name, m)));
    if (isObject(item.valueFrom)) errs.push(...validateEnvVarValueFrom(item, `${p}.valueFrom`));
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objects(envFrom).forEach((item, i) => {
    const p = `${path}[${i}]`;
    const prefix = str(item.prefix);
    if (prefix) errs.push(...isEnvVarName(prefix).map((m) => fieldErrors.invalid(`${p}.prefix`, prefix, m)));
    const refs = ['configMapRef', 'secretRef'].filter((k) => isObject(item[k]));
    if (refs.length === 0) errs.push(fieldErrors.invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (refs.length > 1) errs.push(fieldErrors.invalid(p, '', 'may not have more than one field specified at a time'));
    for (const ref of refs) {
      const name = str((item[ref] as Json).name);
      if (!name) errs.push(fieldErrors.required(`${p}.${ref}.name`));
      else errs.push(...isDNS1123Subdomain(name).map((m) => fieldErrors.invalid(`${p}.${ref}.name`, name, m)));
    }
  });
  return errs;
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

function validateResourceName(name: string, path: string): FieldError[] {
  const errs = validateLabelName(name, path);
  if (errs.length > 0) return errs;
  const standard = STANDARD_CONTAINER_RESOURCES.has(name) || name.startsWith('hugepages-') || name.includes('/');
  return standard ? [] : [fieldErrors.invalid(path, name, 'must be a standard resource for containers')];
}

function validateResourceList(list: Json, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, value] of Object.entries(list)) {
    const p = `${path}[${name}]`;
    errs.push(...validateResourceName(name, p));
    const text = str(value);
    if (!isValidQuantity(text)) errs.push(fieldErrors.invalid(p, text, QUANTITY_REGEX_MESSAGE));
    else if (text.startsWith('-')) errs.push(fieldErrors.invalid(p, canonicalQuantity(text), 'must be greater than or equal to 0'));
  }
  return errs;
}

/** Requests must not exceed limits: `spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1`. */
export function validateResourceRequirements(resources: unknown, path: string): FieldError[] {
  if (!isObject(resources)) return [];
  const limits = isObject(resources.limits) ? resources.limits : {};
  const requests = isObject(resources.requests) ? resources.requests : {};
  const errs = [...validateResourceList(limits, `${path}.limits`), ...validateResourceList(requests, `${path}.requests`)];
  if (errs.length > 0) return errs;
  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit === undefined) continue;
    if (compareQuantities(str(request), str(limit)) > 0) {
      errs.push(
        fieldErrors.invalid(`${path}.requests[${name}]`, canonicalQuantity(str(request)), `must be less than or equal to ${name} limit of ${canonicalQuantity(str(limit))}`),
      );
    }
  }
  return errs;
}

const HANDLER_TYPES = ['exec', 'httpGet', 'tcpSocket', 'grpc'];

function validateHandler(handler: Json, path: string, allowed: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const present = allowed.filter((k) => isObject(handler[k]));
  if (present.length === 0) return [fieldErrors.required(path, 'must specify a handler type')];
  for (const extra of present.slice(1)) errs.push(fieldErrors.forbidden(`${path}.${extra}`, 'may not specify more than 1 handler type'));
  if (isObject(handler.exec) && (!Array.isArray(handler.exec.command) || handler.exec.command.length === 0)) {
    errs.push(fieldErrors.required(`${path}.exec.command`));
  }
  if (isObject(handler.httpGet)) {
    const get = handler.httpGet;
    if (!str(get.path)) errs.push(fieldErrors.required(`${path}.httpGet.path`));
    errs.push(...validatePortNumOrName(get.port, `${path}.httpGet.port`));
    const scheme = str(get.scheme);
    if (scheme && scheme !== 'HTTP' && scheme !== 'HTTPS') errs.push(fieldErrors.notSupported(`${path}.httpGet.scheme`, scheme, ['HTTP', 'HTTPS']));
  }
  if (isObject(handler.tcpSocket)) errs.push(...validatePortNumOrName(handler.tcpSocket.port, `${path}.tcpSocket.port`));
  if (isObject(handler.grpc)) {
    errs.push(...isValidPortNum(Number(handler.grpc.port)).map((m) => fieldErrors.invalid(`${path}.grpc.port`, handler.grpc && (handler.grpc as Json).port, m)));
  }
  return errs;
}

function validateProbe(probe: unknown, path: string, requireSingleSuccess: boolean): FieldError[] {
  if (!isObject(probe)) return [];
  const errs = validateHandler(probe, path, HANDLER_TYPES);
  for (const key of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...validateNonNegative(probe[key], `${path}.${key}`));
  }
  if (requireSingleSuccess && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(fieldErrors.invalid(`${path}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  if (typeof probe.terminationGracePeriodSeconds === 'number' && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(fieldErrors.invalid(`${path}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mountPaths = new Set<string>();
  objects(mounts).forEach((mount, i) => {
    const p = `${path}[${i}]`;
    const name = str(mount.name);
    if (!name) errs.push(fieldErrors.required(`${p}.name`));
    else if (!volumes.has(name)) errs.push(fieldErrors.notFound(`${p}.name`, name));
    const mountPath = str(mount.mountPath);
    if (!mountPath) errs.push(fieldErrors.required(`${p}.mountPath`));
    else if (mountPaths.has(mountPath)) errs.push(fieldErrors.invalid(`${p}.mountPath`, mountPath, 'must be unique'));
    else mountPaths.add(mountPath);
    const subPath = str(mount.subPath);
    if (subPath) errs.push(...validateLocalDescendingPath(subPath, `${p}.subPath`));
    if (subPath && str(mount.subPathExpr)) errs.push(fieldErrors.invalid(`${p}.subPathExpr`, mount.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
  });
  return errs;
}

/** Relative paths that stay inside their volume: not absolute, no '..' element. */
export function validateLocalDescendingPath(target: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(fieldErrors.invalid(path, target, 'must be a relative path'));
  if (target.split('/').includes('..')) errs.push(fieldErrors.invalid(path, target, "must not contain '..'"));
  return errs;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

export interface ContainerContext {
  volumes: Set<string>;
  kind: 'container' | 'init' | 'ephemeral';
}

export function validateContainer(ctr: Json, path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(ctr.name);
  if (!name) errs.push(fieldErrors.required(`${path}.name`));
  else errs.push(...validateDNS1123LabelField(name, `${path}.name`));
  if (!str(ctr.image)) errs.push(fieldErrors.required(`${path}.image`));
  const tmp = str(ctr.terminationMessagePolicy);
  if (!tmp) errs.push(fieldErrors.required(`${path}.terminationMessagePolicy`));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(tmp)) errs.push(fieldErrors.notSupported(`${path}.terminationMessagePolicy`, tmp, TERMINATION_MESSAGE_POLICIES));
  errs.push(...validateContainerPorts(ctr.ports, `${path}.ports`));
  errs.push(...validateEnv(ctr.env, `${path}.env`));
  errs.push(...validateEnvFrom(ctr.envFrom, `${path}.envFrom`));
  const pull = str(ctr.imagePullPolicy);
  if (!pull) errs.push(fieldErrors.required(`${path}.imagePullPolicy`));
  else if (!PULL_POLICIES.includes(pull)) errs.push(fieldErrors.notSupported(`${path}.imagePullPolicy`, pull, PULL_POLICIES));
  errs.push(...validateVolumeMounts(ctr.volumeMounts, ctx.volumes, `${path}.volumeMounts`));
  errs.push(...validateResourceRequirements(ctr.resources, `${path}.resources`));

  const sidecar = ctx.kind === 'init' && ctr.restartPolicy === 'Always';
  if (ctr.restartPolicy !== undefined && ctr.restartPolicy !== null) {
    if (ctx.kind === 'container') errs.push(fieldErrors.forbidden(`${path}.restartPolicy`, 'may not be set for non-init containers'));
    else if (ctx.kind === 'init' && ctr.restartPolicy !== 'Always') errs.push(fieldErrors.notSupported(`${path}.restartPolicy`, ctr.restartPolicy, ['Always']));
  }
  const probes: Array<[string, boolean]> = [['livenessProbe', true], ['readinessProbe', false], ['startupProbe', true]];
  if (ctx.kind === 'container' || sidecar) {
    for (const [key, single] of probes) errs.push(...validateProbe(ctr[key], `${path}.${key}`, single));
    if (isObject(ctr.lifecycle)) {
      for (const hook of ['postStart', 'preStop']) {
        const handler = ctr.lifecycle[hook];
        if (isObject(handler)) errs.push(...validateHandler(handler, `${path}.lifecycle.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
      }
    }
  } else {
    const reason = ctx.kind === 'init' ? 'may not be set for init containers without restartPolicy=Always' : 'cannot be set for an Ephemeral Container';
    for (const key of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (ctr[key] !== undefined && ctr[key] !== null) errs.push(fieldErrors.forbidden(`${path}.${key}`, reason));
    }
  }
  if (ctx.kind === 'ephemeral') {
    // Ephemeral containers get no resources of their own and serve nothing.
    if (Array.isArray(ctr.ports) && ctr.ports.length > 0) errs.push(fieldErrors.forbidden(`${path}.ports`, 'cannot be set for an Ephemeral Container'));
    const resources = isObject(ctr.resources) ? ctr.resources : {};
    if (Object.values(resources).some((v) => isObject(v) ? Object.keys(v).length > 0 : v !== undefined && v !== null)) errs.push(fieldErrors.forbidden(`${path}.resources`, 'cannot be set for an Ephemeral Container'));
  }
  return errs;
}

/** Pod-only container checks (not templates). */
export function validateContainerForPod(ctr: Json, path: string): FieldError[] {
  const image = str(ctr.image);
  return image !== image.trim() ? [fieldErrors.invalid(`${path}.image`, image, 'must not have leading or trailing whitespace')] : [];
}

