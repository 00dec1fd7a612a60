// core/v1: Containers: ports, environment, probes, lifecycle hooks, security context.
import { field, scalar, ref, atomicList, mapList, str, int32, int64, bool, obj, objectType } from '../../schema/dsl.js';
import type { ObjectType } from '../../schema/dsl.js';
import { coreType, unmergedSet } from './helpers.js';

/**
 * The fields Container shares with EphemeralContainerCommon (same protobuf numbers) and with
 * EphemeralContainer, which inlines them in JSON and so carries no numbers of its own.
 */
function containerFields(withProtobuf: boolean) {
  const pb = (n: number): number | undefined => (withProtobuf ? n : undefined);
  return {
    name: str(pb(1), 'Name of the container, unique within the pod.', { required: true }),
    image: str(pb(2), 'Container image reference.'),
    command: field(atomicList(scalar('string')), pb(3), 'Entrypoint array; replaces the image\'s ENTRYPOINT. Not run in a shell.'),
    args: field(atomicList(scalar('string')), pb(4), 'Arguments to the entrypoint; replace the image\'s CMD.'),
    workingDir: str(pb(5), 'Working directory of the container process.'),
    ports: field(mapList(ref(coreType('ContainerPort')), ['containerPort', 'protocol']), pb(6), 'Ports the container exposes (informational).'),
    envFrom: field(atomicList(ref(coreType('EnvFromSource'))), pb(19), 'Sources of environment variables; env entries take precedence.'),
    env: field(mapList(ref(coreType('EnvVar')), ['name']), pb(7), 'Environment variables to set in the container.'),
    resources: obj(coreType('ResourceRequirements'), pb(8), 'Compute resources of the container.'),
    resizePolicy: field(atomicList(ref(coreType('ContainerResizePolicy'))), pb(23), 'How the container reacts when its resources are resized.'),
    restartPolicy: str(pb(24), 'Restart policy of this container; Always makes an init container a sidecar.', { pointer: true }),
    restartPolicyRules: field(atomicList(ref(coreType('ContainerRestartRule'))), pb(25), 'Rules that decide, by exit code, whether the container restarts.'),
    volumeMounts: field(mapList(ref(coreType('VolumeMount')), ['mountPath']), pb(9), 'Volumes mounted into the container\'s filesystem.'),
    volumeDevices: field(mapList(ref(coreType('VolumeDevice')), ['devicePath']), pb(21), 'Raw block devices the container uses.'),
    livenessProbe: obj(coreType('Probe'), pb(10), 'Periodic check; the container restarts when it fails.', { pointer: true }),
    readinessProbe: obj(coreType('Probe'), pb(11), 'Periodic check; the container gets no service traffic while it fails.', { pointer: true }),
    startupProbe: obj(coreType('Probe'), pb(22), 'Check that must succeed before the other probes start.', { pointer: true }),
    lifecycle: obj(coreType('Lifecycle'), pb(12), 'Hooks run after start and before stop.', { pointer: true }),
    terminationMessagePath: str(pb(13), 'File whose contents become the termination message.'),
    terminationMessagePolicy: field(scalar('string', ['File', 'FallbackToLogsOnError']), pb(20), 'How the termination message is gathered: File or FallbackToLogsOnError.'),
    imagePullPolicy: field(scalar('string', ['Always', 'Never', 'IfNotPresent']), pb(14), 'When to pull the image: Always, Never or IfNotPresent.'),
    securityContext: obj(coreType('SecurityContext'), pb(15), 'Security settings of the container.', { pointer: true }),
    stdin: bool(pb(16), 'Keep a stdin buffer open for the container.'),
    stdinOnce: bool(pb(17), 'Close stdin after the first attach session ends.'),
    tty: bool(pb(18), 'Allocate a TTY for the container.'),
  };
}

export const CORE_CONTAINER_TYPES: ObjectType[] = [
  objectType(coreType('Container'), 'One container of a pod.', containerFields(true)),
  objectType(coreType('EphemeralContainer'), 'A container added to a running pod for troubleshooting; it has no resources or probes.', {
    // the fields of the embedded EphemeralContainerCommon (protobuf field 1), listed in CORE_V1_INLINE_EMBEDDINGS
    ...containerFields(false),
    targetContainerName: str(2, 'Container whose namespaces this ephemeral container joins.'),
  }),
  objectType(coreType('EphemeralContainerCommon'), 'The container fields an ephemeral container shares with Container.', containerFields(true)),
  objectType(coreType('ContainerPort'), 'A network port of a container.', {
    name: str(1, 'Name of the port, unique within the pod; services can refer to it.'),
    hostPort: int32(2, 'Port opened on the node for this container port.'),
    containerPort: int32(3, 'Port the container listens on.', { required: true }),
    protocol: field(scalar('string', ['TCP', 'UDP', 'SCTP']), 4, 'Network protocol: TCP, UDP or SCTP.', { default: 'TCP' }),
    hostIP: str(5, 'Node IP to bind the host port to.'),
  }),
  objectType(coreType('EnvFromSource'), 'A source of many environment variables.', {
    prefix: str(1, 'Prefix added to every variable name.'),
    configMapRef: obj(coreType('ConfigMapEnvSource'), 2, 'Config map to read.', { pointer: true }),
    secretRef: obj(coreType('SecretEnvSource'), 3, 'Secret to read.', { pointer: true }),
  }),
  objectType(coreType('EnvVar'), 'One environment variable.', {
    name: str(1, 'Name of the environment variable.', { required: true }),
    value: str(2, 'Literal value; $(VAR) references to earlier variables are expanded.'),
    valueFrom: obj(coreType('EnvVarSource'), 3, 'Source of the value; cannot be used with value.', { pointer: true }),
  }),
  objectType(coreType('ContainerResizePolicy'), 'How a container reacts to a resize of one resource.', {
    resourceName: str(1, 'Name of a resource.', { required: true }),
    restartPolicy: str(2, 'NotRequired or RestartContainer.', { required: true }),
  }),
  objectType(coreType('ContainerRestartRule'), 'A rule that decides whether a container restarts after exit.', {
    action: str(1, 'Action when the rule matches: Restart.', { required: true }),
    exitCodes: obj(coreType('ContainerRestartRuleOnExitCodes'), 2, 'Exit codes the rule matches.', { pointer: true }),
  }),
  objectType(coreType('VolumeMount'), 'Where a volume is mounted in a container.', {
    name: str(1, 'Name of the volume to mount.', { required: true }),
    readOnly: bool(2, 'Mount read-only.'),
    recursiveReadOnly: str(7, 'Whether a read-only mount is read-only recursively: Disabled, IfPossible or Enabled.', { pointer: true }),
    mountPath: str(3, 'Path in the container where the volume is mounted.', { required: true }),
    subPath: str(4, 'Path within the volume to mount instead of its root.'),
    mountPropagation: field(scalar('string', ['None', 'HostToContainer', 'Bidirectional']), 5, 'How mounts propagate between host and container: None, HostToContainer or Bidirectional.', { pointer: true }),
    subPathExpr: str(6, 'Like subPath, with $(VAR) environment references expanded.'),
    bindMountOptions: field(unmergedSet(scalar('string')), 8, 'Extra bind mount options.'),
  }),
  objectType(coreType('VolumeDevice'), 'Where a raw block volume appears in a container.', {
    name: str(1, 'Name of the persistent volume claim volume.', { required: true }),
    devicePath: str(2, 'Path in the container where the device appears.', { required: true }),
  }),
  objectType(coreType('Probe'), 'A health check of a container and how often it runs.', {
    // fields of the embedded ProbeHandler (protobuf field 1), listed in CORE_V1_INLINE_EMBEDDINGS
    exec: obj(coreType('ExecAction'), undefined, 'Run a command in the container.', { pointer: true }),
    httpGet: obj(coreType('HTTPGetAction'), undefined, 'Send an HTTP GET request.', { pointer: true }),
    tcpSocket: obj(coreType('TCPSocketAction'), undefined, 'Open a TCP connection.', { pointer: true }),
    grpc: obj(coreType('GRPCAction'), undefined, 'Call the gRPC health checking service.', { pointer: true }),
    initialDelaySeconds: int32(2, 'Seconds after start before the first check.'),
    timeoutSeconds: int32(3, 'Seconds after which an attempt times out.'),
    periodSeconds: int32(4, 'Seconds between checks.'),
    successThreshold: int32(5, 'Consecutive successes needed after a failure.'),
    failureThreshold: int32(6, 'Consecutive failures that count as failed.'),
    terminationGracePeriodSeconds: int64(7, 'Grace period used when a failed probe kills the container.', { pointer: true }),
  }),
  objectType(coreType('Lifecycle'), 'Actions run after a container starts and before it stops.', {
    postStart: obj(coreType('LifecycleHandler'), 1, 'Run right after the container starts.', { pointer: true }),
    preStop: obj(coreType('LifecycleHandler'), 2, 'Run before the container is stopped.', { pointer: true }),
    stopSignal: field(scalar('string', ['SIGABRT', 'SIGALRM', 'SIGBUS', 'SIGCHLD', 'SIGCLD', 'SIGCONT', 'SIGFPE', 'SIGHUP', 'SIGILL', 'SIGINT', 'SIGIO', 'SIGIOT', 'SIGKILL', 'SIGPIPE', 'SIGPOLL', 'SIGPROF', 'SIGPWR', 'SIGQUIT', 'SIGSEGV', 'SIGSTKFLT', 'SIGSTOP', 'SIGSYS', 'SIGTERM', 'SIGTRAP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGUSR1', 'SIGUSR2', 'SIGVTALRM', 'SIGWINCH', 'SIGXCPU', 'SIGXFSZ', 'SIGRTMIN', 'SIGRTMIN+1', 'SIGRTMIN+2', 'SIGRTMIN+3', 'SIGRTMIN+4', 'SIGRTMIN+5', 'SIGRTMIN+6', 'SIGRTMIN+7', 'SIGRTMIN+8', 'SIGRTMIN+9', 'SIGRTMIN+10', 'SIGRTMIN+11', 'SIGRTMIN+12', 'SIGRTMIN+13', 'SIGRTMIN+14', 'SIGRTMIN+15', 'SIGRTMAX-14', 'SIGRTMAX-13', 'SIGRTMAX-12', 'SIGRTMAX-11', 'SIGRTMAX-10', 'SIGRTMAX-9', 'SIGRTMAX-8', 'SIGRTMAX-7', 'SIGRTMAX-6', 'SIGRTMAX-5', 'SIGRTMAX-4', 'SIGRTMAX-3', 'SIGRTMAX-2', 'SIGRTMAX-1', 'SIGRTMAX']), 3, 'Signal sent to stop the container.', { pointer: true }),
  }),
  objectType(coreType('SecurityContext'), 'Security settings of one container; they override the pod\'s.', {
    capabilities: obj(coreType('Capabilities'), 1, 'Capabilities to add and drop.', { pointer: true }),
    privileged: bool(2, 'Run the container privileged.', { pointer: true }),
    seLinuxOptions: obj(coreType('SELinuxOptions'), 3, 'SELinux labels to apply.', { pointer: true }),
    windowsOptions: obj(coreType('WindowsSecurityContextOptions'), 10, 'Windows-specific settings.', { pointer: true }),
    runAsUser: int64(4, 'UID the process runs as.', { pointer: true }),
    runAsGroup: int64(8, 'GID the process runs as.', { pointer: true }),
    runAsNonRoot: bool(5, 'Refuse to start a container that would run as root.', { pointer: true }),
    readOnlyRootFilesystem: bool(6, 'Mount the root filesystem read-only.', { pointer: true }),
    allowPrivilegeEscalation: bool(7, 'Whether a process may gain more privileges than its parent.', { pointer: true }),
    procMount: field(scalar('string', ['Default', 'Unmasked']), 9, 'Default or Unmasked /proc mount.', { pointer: true }),
    seccompProfile: obj(coreType('SeccompProfile'), 11, 'Seccomp profile to apply.', { pointer: true }),
    appArmorProfile: obj(coreType('AppArmorProfile'), 12, 'AppArmor profile to apply.', { pointer: true }),
  }),
  objectType(coreType('ConfigMapEnvSource'), 'A config map whose keys become environment variables.', {
    // fields of the embedded LocalObjectReference (protobuf field 1), listed in CORE_V1_INLINE_EMBEDDINGS
    name: str(undefined, 'Name of the referenced object, unique within its scope.'),
    optional: bool(2, 'Whether a missing source (or key) is tolerated instead of failing.', { pointer: true }),
  }),
  objectType(coreType('SecretEnvSource'), 'A secret whose keys become environment variables.', {
    // fields of the embedded LocalObjectReference (protobuf field 1), listed in CORE_V1_INLINE_EMBEDDINGS
    name: str(undefined, 'Name of the referenced object, unique within its scope.'),
    optional: bool(2, 'Whether a missing source (or key) is tolerated instead of failing.', { pointer: true }),
  }),
  objectType(coreType('EnvVarSource'), 'Where an environment variable\'s value comes from.', {
    fieldRef: obj(coreType('ObjectFieldSelector'), 1, 'A field of the pod.', { pointer: true }),
    resourceFieldRef: obj(coreType('ResourceFieldSelector'), 2, 'A resource request or limit of a container.', { pointer: true }),
    configMapKeyRef: obj(coreType('ConfigMapKeySelector'), 3, 'A key of a config map.', { pointer: true }),
    secretKeyRef: obj(coreType('SecretKeySelector'), 4, 'A key of a secret.', { pointer: true }),
    fileKeyRef: obj(coreType('FileKeySelector'), 5, 'A key of an env file in a volume.', { pointer: true }),
  }),
  objectType(coreType('ContainerRestartRuleOnExitCodes'), 'Exit codes a restart rule matches.', {
    operator: str(1, 'In or NotIn.', { required: true }),
    values: field(unmergedSet(scalar('int32')), 2, 'Exit codes to compare.'),
  }),
  objectType(coreType('ProbeHandler'), 'The action a probe takes; exactly one is set.', {
    exec: obj(coreType('ExecAction'), 1, 'Run a command in the container.', { pointer: true }),
    httpGet: obj(coreType('HTTPGetAction'), 2, 'Send an HTTP GET request.', { pointer: true }),
    tcpSocket: obj(coreType('TCPSocketAction'), 3, 'Open a TCP connection.', { pointer: true }),
    grpc: obj(coreType('GRPCAction'), 4, 'Call the gRPC health checking service.', { pointer: true }),
  }),
  objectType(coreType('LifecycleHandler'), 'The action of a lifecycle hook; exactly one is set.', {
    exec: obj(coreType('ExecAction'), 1, 'Run a command in the container.', { pointer: true }),
    httpGet: obj(coreType('HTTPGetAction'), 2, 'Send an HTTP GET request.', { pointer: true }),
    tcpSocket: obj(coreType('TCPSocketAction'), 3, 'Open a TCP connection.', { pointer: true }),
    sleep: obj(coreType('SleepAction'), 4, 'Sleep for a while.', { pointer: true }),
  }),
  objectType(coreType('Capabilities'), 'Linux capabilities to add and remove.', {
    add: field(atomicList(scalar('string')), 1, 'Capabilities to add.'),
    drop: field(atomicList(scalar('string')), 2, 'Capabilities to drop.'),
  }),
  objectType(coreType('SELinuxOptions'), 'SELinux labels applied to a container.', {
    user: str(1, 'SELinux user label.'),
    role: str(2, 'SELinux role label.'),
    type: str(3, 'SELinux type label.'),
    level: str(4, 'SELinux level label.'),
  }),
  objectType(coreType('WindowsSecurityContextOptions'), 'Security settings specific to Windows.', {
    gmsaCredentialSpecName: str(1, 'Name of the GMSA credential spec.', { pointer: true }),
    gmsaCredentialSpec: str(2, 'Contents of the GMSA credential spec.', { pointer: true }),
    runAsUserName: str(3, 'Windows user name to run as.', { pointer: true }),
    hostProcess: bool(4, 'Run as a Windows host process.', { pointer: true }),
  }),
  objectType(coreType('SeccompProfile'), 'The seccomp profile to apply.', {
    type: field(scalar('string', ['Unconfined', 'RuntimeDefault', 'Localhost']), 1, 'RuntimeDefault, Unconfined or Localhost.', { required: true }),
    localhostProfile: str(2, 'Path of a profile preloaded on the node, used with type Localhost.', { pointer: true }),
  }),
  objectType(coreType('AppArmorProfile'), 'The AppArmor profile to apply.', {
    type: field(scalar('string', ['Unconfined', 'RuntimeDefault', 'Localhost']), 1, 'RuntimeDefault, Unconfined or Localhost.', { required: true }),
    localhostProfile: str(2, 'Path of a profile preloaded on the node, used with type Localhost.', { pointer: true }),
  }),
  objectType(coreType('FileKeySelector'), 'One key of an env file in a volume.', {
    volumeName: str(1, 'Name of the volume holding the env file.', { required: true }),
    path: str(2, 'Path of the env file within the volume.', { required: true }),
    key: str(3, 'Key to select within the env file.', { required: true }),
    optional: bool(4, 'Whether a missing source (or key) is tolerated instead of failing.', { pointer: true }),
  }, { atomic: true }),
  objectType(coreType('ExecAction'), 'Runs a command in the container.', {
    command: field(atomicList(scalar('string')), 1, 'Command to run, with its arguments; not run in a shell.'),
  }),
  objectType(coreType('HTTPGetAction'), 'Sends an HTTP GET request.', {
    path: str(1, 'Path to request.'),
    port: field(scalar('intOrString'), 2, 'Port to connect to, by number or container port name.', { required: true }),
    host: str(3, 'Host to connect to; defaults to the pod IP.'),
    scheme: field(scalar('string', ['HTTP', 'HTTPS']), 4, 'HTTP or HTTPS.'),
    httpHeaders: field(atomicList(ref(coreType('HTTPHeader'))), 5, 'Extra request headers.'),
    protocol: field(scalar('string', ['HTTP1', 'HTTP2']), 6, 'HTTP version used by the gRPC or HTTP probe.', { pointer: true }),
  }),
  objectType(coreType('TCPSocketAction'), 'Opens a TCP connection.', {
    port: field(scalar('intOrString'), 1, 'Port to connect to, by number or container port name.', { required: true }),
    host: str(2, 'Host to connect to; defaults to the pod IP.'),
  }),
  objectType(coreType('GRPCAction'), 'Calls the gRPC health checking service.', {
    port: int32(1, 'Port of the gRPC service.', { required: true }),
    service: str(2, 'Service name sent in the health check request.', { pointer: true }),
    mode: field(scalar('string', ['Plaintext', 'TLS']), 3, 'Connection mode of the probe: Plaintext or TLS.', { pointer: true }),
  }),
  objectType(coreType('SleepAction'), 'Sleeps for a while.', {
    seconds: int64(1, 'Seconds to sleep.', { required: true }),
  }),
  objectType(coreType('HTTPHeader'), 'One HTTP header.', {
    name: str(1, 'Header name.', { required: true }),
    value: str(2, 'Header value.', { required: true }),
  }),
];
