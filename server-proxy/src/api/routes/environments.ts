import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { KernelSpecInfo } from '../../backends/local/kernels.js';
import { errorResponses } from '../errors.js';

/** What the environment routes need. */
export interface EnvironmentRouteDeps {
  /** The kernels installed where local jobs run; absent when the local backend is not configured. */
  localKernels?: () => Promise<KernelSpecInfo[]>;
}

const KernelSpec = Type.Object({
  name: Type.String({ description: 'the kernelspec name (trainingInput.kernelName)' }),
  displayName: Type.String(),
  language: Type.String()
});

/** `GET /api/v1/kernels`: what a notebook job can run on. */
export const environmentRoutes: FastifyPluginAsyncTypebox<EnvironmentRouteDeps> = async (app, deps) => {
  app.get(
    '/kernels',
    {
      schema: {
        summary: 'Kernelspecs installed where local jobs run (jupyter kernelspec list of the runner)',
        description:
          "A notebook job runs on its notebook's kernelspec (or trainingInput.kernelName) when it is in this list; " +
          'Kubernetes jobs run on the kernels of their image, which the service cannot list.',
        tags: ['jobs'],
        response: {
          200: Type.Object({ kernels: Type.Array(KernelSpec, { description: 'empty when the local backend is not configured' }) }),
          ...errorResponses(401)
        }
      }
    },
    async () => ({ kernels: deps.localKernels ? await deps.localKernels() : [] })
  );
};
