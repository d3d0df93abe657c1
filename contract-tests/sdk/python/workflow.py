"""A new user's workflow with the Python client openapi-python-client generates from the spec.

    python workflow.py <api root, e.g. http://127.0.0.1:5000/api/v1>

Runs against the demo server (its admin account): log in, list runs with a status filter and
paging, read a summary and a diff, create and cancel a run, and read a typed 403 and 404. The
client package `spci_client` is generated next to this file by contract-tests/sdk/run.sh; it is
not kept in the repository. Type-checked with mypy --strict together with the client.
"""
import sys
import time

from spci_client import AuthenticatedClient, Client
from spci_client.api.auth import create_token
from spci_client.api.results import get_diff
from spci_client.api.runs import cancel_run, create_run, get_run, get_run_summary, list_runs
from spci_client.api.samples import list_run_samples
from spci_client.models import (
    AuthToken,
    Diff,
    ForbiddenErrorResponse,
    NotFoundErrorResponse,
    OutputStatus,
    Platform,
    Run,
    RunActionResult,
    RunActionStatus,
    RunCancelRequest,
    RunCreateRequest,
    RunPage,
    RunSamplePage,
    RunSampleStatus,
    RunStatus,
    RunSummary,
    Scope,
    TokenCreateRequest,
    UnifiedDiff,
)
from spci_client.types import Unset

API = sys.argv[1]


def token(scopes: list[Scope]) -> str:
    """Logs in as the demo admin for a token with `scopes`."""
    with Client(base_url=API) as anonymous:
        answer = create_token.sync(
            client=anonymous,
            body=TokenCreateRequest(
                email="admin@example.com",
                password="demo-admin-password",
                token_name=f"sdk-python-{time.time_ns()}",
                scopes=scopes,
            ),
        )
    assert isinstance(answer, AuthToken), answer
    return answer.token


def main() -> None:
    writer = AuthenticatedClient(
        base_url=API, token=token([Scope.RUNSREAD, Scope.RUNSWRITE, Scope.RESULTSREAD])
    )

    # Failed runs, one per page, following the pagination to the second page.
    first = list_runs.sync(client=writer, status=RunStatus.FAIL, limit=1)
    assert isinstance(first, RunPage), first
    assert len(first.data) == 1 and first.data[0].status == RunStatus.FAIL
    assert isinstance(first.pagination.next_offset, int), "the demo has several failed runs"
    second = list_runs.sync(
        client=writer, status=RunStatus.FAIL, limit=1, offset=first.pagination.next_offset
    )
    assert isinstance(second, RunPage), second
    assert second.data[0].run_id != first.data[0].run_id

    # The summary and a diff of a failed run's failing output.
    diffed = False
    for run in (first.data[0], second.data[0]):
        summary = get_run_summary.sync(run.run_id, client=writer)
        assert isinstance(summary, RunSummary), summary
        assert summary.status == RunStatus.FAIL
        samples = list_run_samples.sync(
            run.run_id, client=writer, status=RunSampleStatus.FAIL, limit=100
        )
        assert isinstance(samples, RunSamplePage), samples
        for s in samples.data:
            failing = [o for o in s.outputs if o.status == OutputStatus.FAIL]
            if s.status != RunSampleStatus.FAIL or not failing or s.sample_id is None:
                continue
            diff = get_diff.sync(
                run.run_id, s.sample_id, s.regression_test_id, failing[0].output_id, client=writer
            )
            assert isinstance(diff, (Diff, UnifiedDiff)), diff
            diffed = True
            break
        if diffed:
            break
    assert diffed, "no failed output to diff in the first two failed runs"

    # Create a run and cancel it.
    created = create_run.sync(
        client=writer,
        body=RunCreateRequest(
            repository="CCExtractor/ccextractor",
            commit_sha=f"{time.time_ns():040x}"[-40:],
            platform=Platform.LINUX,
        ),
    )
    assert isinstance(created, Run), created
    assert created.status == RunStatus.QUEUED
    canceled = cancel_run.sync(
        created.run_id, client=writer, body=RunCancelRequest(reason="sdk workflow")
    )
    assert isinstance(canceled, RunActionResult), canceled
    assert canceled.status == RunActionStatus.ACCEPTED, canceled
    after = get_run.sync(created.run_id, client=writer)
    assert isinstance(after, Run) and after.status == RunStatus.CANCELED, after

    # Typed errors: a read-only token may not cancel; an unknown run is not found.
    reader = AuthenticatedClient(base_url=API, token=token([Scope.RUNSREAD]))
    refused = cancel_run.sync(created.run_id, client=reader, body=RunCancelRequest())
    assert isinstance(refused, ForbiddenErrorResponse), refused
    missing = refused.details.missing_scopes
    assert not isinstance(missing, Unset) and missing == [Scope.RUNSWRITE], refused
    gone = get_run.sync(2_000_000_000, client=reader)
    assert isinstance(gone, NotFoundErrorResponse), gone
    assert gone.details.resource == "Run", gone
    print("python workflow: ok")


if __name__ == "__main__":
    main()
