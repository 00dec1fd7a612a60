// An in-process `runServer` for integration tests: loopback on a free port, the default cluster
// ranges, and no node agent, scheduler or controllers unless the test turns them on.

import { runServer, type RunningServer, type ServerFlags } from '../../src/cmd/server.js';

export function startInProcessServer(dataDir: string, token: string, overrides: Partial<ServerFlags> = {}): Promise<RunningServer> {
  return runServer({
    dataDir,
    bindAddress: '127.0.0.1',
    httpsListenPort: 0,
    token,
    disableAgent: true,
    disableScheduler: true,
    disableControllers: true,
    serviceCidr: '10.43.0.0/16',
    clusterCidr: '10.42.0.0/16',
    nodePortRange: [30000, 32767],
    ...overrides,
  });
}
