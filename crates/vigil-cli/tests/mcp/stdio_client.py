"""An independent MCP client (the official Python SDK) against `vigil mcp` over stdio.

Run by crates/vigil-cli/tests/api/mcp.rs with VIGIL_BIN, VIGIL_BASE_URL and VIGIL_API_KEY
set; MODE is `auto` (the current protocol, falling back) or `legacy` (the initialize
handshake of older versions). Prints one JSON line of what it saw; the Rust test asserts.
"""

import asyncio
import json
import os
import sys

from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters


def server(*flags):
    env = dict(os.environ)
    return StdioServerParameters(
        command=os.environ["VIGIL_BIN"],
        args=["mcp", "--base-url", os.environ["VIGIL_BASE_URL"], *flags],
        env=env,
    )


def text(result):
    return " ".join(getattr(block, "text", "") for block in result.content)


async def session(flags, mode, steps):
    async with Client(server(*flags), mode=mode) as client:
        return await steps(client)


async def main():
    mode = sys.argv[1]
    seen = {"mode": mode}

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
        refused = await client.call_tool("persona_redact_account", {"account_id": account})
        seen["destructive_refused"] = {"error": refused.is_error, "text": text(refused)}
        seen["account"] = account

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

    await session([], mode, read_only)
    await session(["--write"], mode, writer)
    await session(["--write", "--allow-destructive", "persona_redact_account"], mode, destroyer)
    await session(["--compact", "--toolsets", "accounts"], mode, compact)
    print(json.dumps(seen))


asyncio.run(main())
