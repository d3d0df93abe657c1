// A new user's workflow with the TypeScript client @hey-api/openapi-ts generates from the spec.
//
//     node workflow.js <api root, e.g. http://127.0.0.1:5000/api/v1>
//
// Runs against the demo server (its admin account): log in, list runs with a status filter and
// paging, read a summary and a diff, create and cancel a run, and read a typed 403 and 404. The
// client is generated into ./client by contract-tests/sdk/run.sh (not kept in the repository)
// and compiled with this file by tsc --strict.
import { createClient, createConfig } from './client/client';
import {
  cancelRun,
  createRun,
  createToken,
  getDiff,
  getRun,
  getRunSummary,
  listRunSamples,
  listRuns,
} from './client/sdk.gen';
import type { ForbiddenErrorResponse, NotFoundErrorResponse, Scope } from './client/types.gen';

const API = process.argv[2];

function check(ok: boolean, what: string, seen?: unknown): asserts ok {
  if (!ok) throw new Error(`${what}: ${JSON.stringify(seen)}`);
}

async function token(scopes: Scope[]): Promise<string> {
  const anonymous = createClient(createConfig({ baseUrl: API }));
  const { data, error } = await createToken({
    client: anonymous,
    body: {
      email: 'admin@example.com',
      password: 'demo-admin-password',
      token_name: `sdk-typescript-${Date.now()}`,
      scopes,
    },
  });
  check(data !== undefined, 'login', error);
  return data.token;
}

async function main(): Promise<void> {
  const writer = createClient(
    createConfig({ baseUrl: API, auth: await token(['runs:read', 'runs:write', 'results:read']) }),
  );

  // Failed runs, one per page, following the pagination to the second page.
  const first = await listRuns({ client: writer, query: { status: 'fail', limit: 1 } });
  check(first.data !== undefined, 'first page', first.error);
  check(first.data.data.length === 1 && first.data.data[0].status === 'fail', 'a failed run', first.data);
  const next = first.data.pagination.next_offset;
  check(typeof next === 'number', 'the demo has several failed runs', first.data.pagination);
  const second = await listRuns({ client: writer, query: { status: 'fail', limit: 1, offset: next } });
  check(second.data !== undefined, 'second page', second.error);
  check(second.data.data[0].run_id !== first.data.data[0].run_id, 'another run', second.data);

  // The summary and a diff of a failed run's failing output.
  let diffed = false;
  for (const run of [first.data.data[0], second.data.data[0]]) {
    const summary = await getRunSummary({ client: writer, path: { run_id: run.run_id } });
    check(summary.data?.status === 'fail', 'summary', summary.error ?? summary.data);
    const samples = await listRunSamples({
      client: writer,
      path: { run_id: run.run_id },
      query: { status: 'fail', limit: 100 },
    });
    check(samples.data !== undefined, 'samples', samples.error);
    for (const s of samples.data.data) {
      const failing = s.outputs.find((o) => o.status === 'fail');
      if (failing === undefined || s.sample_id === null) continue;
      const diff = await getDiff({
        client: writer,
        path: {
          run_id: run.run_id,
          sample_id: s.sample_id,
          regression_id: s.regression_test_id,
          output_id: failing.output_id,
        },
      });
      check(diff.data !== undefined, 'diff', diff.error);
      diffed = true;
      break;
    }
    if (diffed) break;
  }
  check(diffed, 'no failed output to diff in the first two failed runs');

  // Create a run and cancel it.
  const sha = (Date.now().toString(16) + '0'.repeat(40)).slice(0, 40);
  const created = await createRun({
    client: writer,
    body: { repository: 'CCExtractor/ccextractor', commit_sha: sha, platform: 'linux' },
  });
  check(created.data?.status === 'queued', 'created', created.error ?? created.data);
  const runId = created.data.run_id;
  const canceled = await cancelRun({
    client: writer,
    path: { run_id: runId },
    body: { reason: 'sdk workflow' },
  });
  check(canceled.data?.status === 'accepted', 'canceled', canceled.error ?? canceled.data);
  const after = await getRun({ client: writer, path: { run_id: runId } });
  check(after.data?.status === 'canceled', 'the run is canceled', after.data);

  // Typed errors: a read-only token may not cancel; an unknown run is not found.
  const reader = createClient(createConfig({ baseUrl: API, auth: await token(['runs:read']) }));
  const refused = await cancelRun({ client: reader, path: { run_id: runId }, body: {} });
  check(refused.response?.status === 403, 'refused', refused.error);
  const forbidden = refused.error as ForbiddenErrorResponse;
  const missing: Scope[] | undefined = forbidden.details.missing_scopes;
  check(JSON.stringify(missing) === '["runs:write"]', 'missing scopes', forbidden);
  const gone = await getRun({ client: reader, path: { run_id: 2_000_000_000 } });
  check(gone.response?.status === 404, 'not found', gone.error);
  const notFound = gone.error as NotFoundErrorResponse;
  check(notFound.details.resource === 'Run', 'the resource', notFound);
  console.log('typescript workflow: ok');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
