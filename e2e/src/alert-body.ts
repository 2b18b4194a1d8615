/** The parts of an Alert (protobuf JSON, as the webhook receives it) the demo and the tests read. */
export interface AlertBody {
  severity: string;
  cluster: string;
  event: {
    trap: { id: string; name: string; path: string; contentSha256Prefix: string };
    owner: { pod: { name: string; namespace: string }; container: { id: string; name: string }; node: string };
    opener: {
      process: { pid: number; tgid: number; uid?: number; comm: string; exe: string; argv?: string[] };
      ancestors?: Array<{ pid: number; exe: string; comm: string; argv?: string[] }>;
      classification: string;
      containerId: string;
    };
    backend: string;
    observedAt: string;
  };
}

export const alertBody = (delivery: { body: Record<string, unknown> }) => delivery.body as unknown as AlertBody;
