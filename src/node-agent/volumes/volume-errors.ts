// Errors the pod worker turns into container waiting reasons and events. Checked by `reason`.

/** A volume could not be set up; becomes a FailedMount event and keeps the pod in ContainerCreating. */
export class VolumeError extends Error {
  readonly reason = 'FailedMount' as const;
  constructor(message: string) {
    super(message);
    this.name = 'VolumeError';
  }
}

/** The container's configuration (env, mounts) cannot be built; waiting reason CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** Kubernetes words a failed volume set-up this way in the FailedMount event. */
export function mountFailed(volumeName: string, cause: string): VolumeError {
  return new VolumeError(`MountVolume.SetUp failed for volume "${volumeName}" : ${cause}`);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
