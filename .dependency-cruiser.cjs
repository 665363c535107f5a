/**
 * The import rules of the extension (src/) and the service (server-proxy/src/), checked by
 * src/__tests__/architecture.spec.ts. Type-only imports count: a cycle through types is still a cycle
 * a reader has to untangle.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules import one way; a cycle means two modules that are really one, or a part in the wrong one.',
      severity: 'error',
      from: {},
      to: { circular: true }
    },
    {
      name: 'domain-not-http',
      comment:
        "Below the HTTP floor (server-proxy/src/api/) nothing knows about HTTP: only the wiring (app.ts, config.ts, main.ts, scripts/) imports it.",
      severity: 'error',
      from: {
        path: '^server-proxy/src/',
        pathNot: '^server-proxy/src/(api/|app\\.ts$|config\\.ts$|main\\.ts$|scripts/)'
      },
      to: { path: '^server-proxy/src/api/' }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|lib|dist)/' },
    // Type-only imports are kept in the graph, so type cycles are found too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.d.ts'] }
  }
};
