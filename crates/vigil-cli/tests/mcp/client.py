"""An independent MCP client (the official Python SDK) against vigil's tool server.

Run by crates/vigil-cli/tests/api/mcp.rs as `client.py TRANSPORT MODE PHASE...`:
TRANSPORT is `stdio` (launches `vigil mcp` from VIGIL_BIN with each phase's flags, against
VIGIL_BASE_URL) or `http` (connects to VIGIL_MCP_URL, `/mcp` on `vigil serve`, whose flags
the test chose); the key is VIGIL_API_KEY either way. MODE is `auto` (the current protocol,
falling back) or `legacy` (the initialize handshake of older versions). Prints one JSON
line of what it saw; the Rust test asserts.
"""

import asyncio
import json
import os
import sys

from mcp import types
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

TRANSPORT = sys.argv[1]


def server(*flags):
    """The server to connect to: `vigil mcp` with `flags` over stdio, or the URL."""
    if TRANSPORT == "http":
        headers = {"Authorization": "Bearer " + os.environ["VIGIL_API_KEY"]}
        return streamable_http_client(
            os.environ["VIGIL_MCP_URL"], http_client=create_mcp_http_client(headers=headers)
        )
    return StdioServerParameters(
        command=os.environ["VIGIL_BIN"],
        args=["mcp", "--base-url", os.environ["VIGIL_BASE_URL"], *flags],
        env=dict(os.environ),
    )


def text(result):
    return " ".join(getattr(block, "text", "") for block in result.content)


async def session(flags, mode, steps, elicitation_callback=None):
    async with Client(server(*flags), mode=mode, elicitation_callback=elicitation_callback) as client:
        return await steps(client)


def person(answer, asked):
    """A person at the client who answers every confirmation form with `answer`."""

    async def callback(context, params):
        asked.append({"message": params.message, "schema": params.requested_schema})
        if answer == "accept":
            return types.ElicitResult(action="accept", content={"confirm": True})
        return types.ElicitResult(action=answer)

    return callback


async def main():
    mode = sys.argv[2]
    phases = sys.argv[3:]
    seen = {"mode": mode, "transport": TRANSPORT}

    async def read_only(client):
        tools = (await client.list_tools()).tools
        seen["tools"] = [t.name for t in tools]
        seen["schemas"] = {
            t.name: {
                "input": t.input_schema,
                "output": t.output_schema,
                "annotations": t.annotations.model_dump(by_alias=True, exclude_none=True) if t.annotations else None,
                "title": t.title,
                "description": t.description,
            }
            for t in tools
        }
        listed = await client.call_tool("persona_list_accounts", {"page_size": 2})
        seen["list"] = {"error": listed.is_error, "structured": listed.structured_content}
        refused = await client.call_tool("persona_create_account", {"reference_id": "mcp-1"})
        seen["write_refused"] = {"error": refused.is_error, "text": text(refused)}
        invalid = await client.call_tool("persona_retrieve_account", {"account_id": "act_x", "bogus": 1})
        seen["invalid"] = {"error": invalid.is_error, "text": text(invalid)}
        missing = await client.call_tool("persona_retrieve_account", {"account_id": "act_doesnotexist"})
        seen["missing"] = {"error": missing.is_error, "text": text(missing)}

    async def writer(client):
        created = await client.call_tool("persona_create_account", {"reference_id": "mcp-1", "name_first": "Jane", "email_address": "jane@example.com"})
        seen["created"] = {"error": created.is_error, "structured": created.structured_content}
        account = created.structured_content["object"]["id"]
        tagged = await client.call_tool("persona_add_account_tag", {"account_id": account, "tag_name": "agent"})
        seen["tagged"] = {"error": tagged.is_error, "structured": tagged.structured_content}
        bad = await client.call_tool("persona_update_account", {"account_id": account, "birthdate": "1990-13-45"})
        seen["bad_value"] = {"error": bad.is_error, "text": text(bad)}
        refused = await client.call_tool("persona_consolidate_accounts", {"account_id": account, "source_account_ids": ["act_other"]})
        seen["destructive_refused"] = {"error": refused.is_error, "text": text(refused)}
        seen["account"] = account

    async def declined(client):
        bad = await client.call_tool("persona_redact_account", {"account_id": seen["account"], "bogus": 1})
        seen["destructive_invalid"] = {"error": bad.is_error, "text": text(bad)}
        kept = await client.call_tool("persona_redact_account", {"account_id": seen["account"]})
        seen["destructive_declined"] = {"error": kept.is_error, "text": text(kept)}

    async def destroyer(client):
        redacted = await client.call_tool("persona_redact_account", {"account_id": seen["account"]})
        seen["destructive_allowed"] = {"error": redacted.is_error, "structured": redacted.structured_content}

    async def compact(client):
        tools = (await client.list_tools()).tools
        seen["compact_tools"] = [t.name for t in tools]
        found = await client.call_tool("persona_search_tools", {"query": "account tag"})
        seen["compact_search"] = found.structured_content
        ran = await client.call_tool("persona_run_tool", {"tool": "persona_list_accounts", "arguments": {"page_size": 1}})
        seen["compact_run"] = {"error": ran.is_error, "structured": ran.structured_content}

    destructive = ["--write", "--allow-destructive", "persona_redact_account"]
    for phase in phases:
        if phase == "read_only":
            await session([], mode, read_only)
        elif phase == "writer":
            await session(["--write"], mode, writer)
        elif phase == "destroyer":
            # Asked to confirm: first the person declines, then accepts.
            asked = []
            await session(destructive, mode, declined, person("decline", asked))
            await session(destructive, mode, destroyer, person("accept", asked))
            seen["asked"] = asked
        elif phase == "compact":
            await session(["--compact", "--toolsets", "accounts"], mode, compact)
        else:
            raise SystemExit(f"unknown phase {phase}")
    print(json.dumps(seen))


asyncio.run(main())
