"""An MCP client (the official Python SDK) against a running spci, over both transports.

    python check.py <api root, e.g. http://127.0.0.1:5000/api/v1> <spci binary>

Over Streamable HTTP (<api root>/mcp, Bearer token) and over stdio (`spci mcp`): lists the tools,
checks each input and output schema is valid JSON Schema (2020-12), calls a read tool and a
write tool with a read-only token, which is not offered to it and which the operation refuses. Exits non-zero on any failure.
"""
import asyncio
import json
import sys
import time
import urllib.request

import httpx2
import jsonschema
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

API, BINARY = sys.argv[1], sys.argv[2]


def read_only_token() -> str:
    """A token of the demo admin with the read scopes only: what the admin can do, it cannot."""
    body = json.dumps({
        "email": "admin@example.com",
        "password": "demo-admin-password",
        "token_name": f"mcp-check-{int(time.time() * 1000)}",
        "scopes": ["runs:read", "results:read"],
    }).encode()
    req = urllib.request.Request(
        f"{API}/auth/tokens", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req) as r:
        return json.load(r)["token"]


async def exercise(session: ClientSession, where: str, expect_refusal: bool) -> None:
    await session.initialize()
    tools = (await session.list_tools()).tools
    names = {t.name for t in tools}
    for needed in ["listRuns", "getRun", "listFailureGroups"]:
        assert needed in names, f"{where}: no tool {needed} in {sorted(names)}"
    for t in tools:
        jsonschema.Draft202012Validator.check_schema(t.input_schema)
        if t.output_schema is not None:
            jsonschema.Draft202012Validator.check_schema(t.output_schema)
    # A read-only token is offered no write tool (each is annotated as one for those that may).
    writes = {t.name for t in tools if t.annotations and t.annotations.read_only_hint is False}
    assert not writes, f"{where}: a read-only token is offered {writes}"
    listed = await session.call_tool("listRuns", {"limit": 2})
    assert not listed.is_error, f"{where}: listRuns failed: {listed.content}"
    page = json.loads(listed.content[0].text)
    assert len(page["data"]) <= 2 and "pagination" in page, page
    run_id = page["data"][0]["run_id"]
    one = await session.call_tool("getRun", {"run_id": run_id})
    assert not one.is_error and json.loads(one.content[0].text)["run_id"] == run_id, one.content
    # A composed tool: why a failed run failed, in one call.
    assert "explainRunFailure" in names, f"{where}: no composed tool in {sorted(names)}"
    failed = json.loads((await session.call_tool("listRuns", {"status": "fail", "limit": 1})).content[0].text)
    why = await session.call_tool("explainRunFailure", {"run_id": failed["data"][0]["run_id"]})
    assert not why.is_error, f"{where}: explainRunFailure failed: {why.content}"
    explained = json.loads(why.content[0].text)
    assert explained["summary"]["status"] == "fail" and explained["failure_groups"], explained
    if expect_refusal:
        refused = await session.call_tool("cancelRun", {"run_id": run_id})
        assert refused.is_error, f"{where}: a read-only token canceled a run"
        error = json.loads(refused.content[0].text)
        assert error["code"] == "forbidden", error
    print(f"{where}: {len(tools)} tools, schemas valid, listRuns, getRun and explainRunFailure answered"
          + (", cancelRun refused (403 forbidden)" if expect_refusal else ""))


async def main() -> None:
    reader = read_only_token()
    headers = {"Authorization": f"Bearer {reader}"}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        async with streamable_http_client(f"{API}/mcp", http_client=http) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await exercise(session, "Streamable HTTP", expect_refusal=True)
    params = StdioServerParameters(
        command=BINARY, args=["mcp"], env={"SPCI_URL": API, "SPCI_TOKEN": reader}
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await exercise(session, "stdio", expect_refusal=True)


asyncio.run(main())
