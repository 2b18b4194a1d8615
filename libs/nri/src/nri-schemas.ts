import type { DescMessage } from '@bufbuild/protobuf';
import * as api from './gen/nri/pkg/api/v1alpha1/api_pb.js';

export const RUNTIME_SERVICE = 'nri.pkg.api.v1alpha1.Runtime';
export const PLUGIN_SERVICE = 'nri.pkg.api.v1alpha1.Plugin';

/** Request and response message of every method of the two services, by "service/method". */
export const METHOD_SCHEMAS: Record<string, { request: DescMessage; response: DescMessage }> = Object.fromEntries(
  [api.Runtime, api.Plugin].flatMap((service) =>
    service.methods.map((m) => [`${service.typeName}/${m.name}`, { request: m.input, response: m.output }]),
  ),
);
