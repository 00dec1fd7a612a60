// Where the agent's streaming server listens by default: loopback when the node's network lives in
// another namespace (the node IP does not exist in the agent's own), else the node IP.

export function defaultListenAddress(o: { nodeIp?: string; nodeNetns?: string; kubeletListenAddress?: string }): string {
  return o.kubeletListenAddress ?? (o.nodeNetns ? '127.0.0.1' : (o.nodeIp ?? '127.0.0.1'));
}
