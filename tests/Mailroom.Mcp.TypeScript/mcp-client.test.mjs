// Mailroom's /mcp through the official TypeScript SDK over Streamable HTTP, as an agent framework would use it.
// Run by the C# suite (McpTypeScriptClientTests), which starts the server and passes MAILROOM_MCP_URL and MAILROOM_API_KEY.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = process.env.MAILROOM_MCP_URL;
const apiKey = process.env.MAILROOM_API_KEY;

async function connect() {
  const client = new Client({ name: "mailroom-typescript-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${apiKey}` } },
  });
  await client.connect(transport);
  return client;
}

async function call(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  assert.ok(!result.isError, `${name} failed: ${JSON.stringify(result.content)}`);
  assert.ok(result.structuredContent, `${name} answered no structured content`);
  return result.structuredContent;
}

async function waitFor(client, name, args, done) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const body = await call(client, name, args);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`${name} never answered what was awaited: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const unique = (name) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

test("lists the tools, sends between inboxes, finds the message with search_messages, replies and sees a new function-tool action", async () => {
  assert.ok(url && apiKey, "MAILROOM_MCP_URL and MAILROOM_API_KEY must be set");
  const client = await connect();
  try {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of ["list_inboxes", "create_inbox", "send_message", "search_messages", "reply_to_message", "get_thread"]) {
      assert.ok(names.includes(name), `tools/list lacks ${name}`);
    }
    const search = tools.find((t) => t.name === "search_messages");
    assert.equal(search.annotations.readOnlyHint, true);
    assert.equal(tools.find((t) => t.name === "delete_thread").annotations.destructiveHint, true);

    const alice = (await call(client, "create_inbox", { username: unique("alice") })).inbox;
    const bob = (await call(client, "create_inbox", { username: unique("bob") })).inbox;
    const subject = unique("Lunch on Friday");
    const sent = await call(client, "send_message", {
      inbox_id: alice.inbox_id, to: [bob.email_address], subject, text: "Shall we meet at noon?",
    });
    assert.equal(sent.status, "queued");

    const found = await waitFor(client, "search_messages", { inbox_id: bob.inbox_id, subject, text: "noon" }, (b) => b.messages.length === 1);
    const message = found.messages[0];
    assert.equal(message.subject, subject);
    assert.equal(message.trust.origin, "received_from_outside");
    assert.match(message.trust.notice, /not instructions/);

    const reply = await call(client, "reply_to_message", { inbox_id: bob.inbox_id, message_id: message.message_id, text: "Noon works." });
    assert.ok(reply.message_id);
    const thread = await waitFor(client, "get_thread", { inbox_id: alice.inbox_id, thread_id: sent.thread_id }, (t) => t.message_count === 2);
    assert.equal(thread.messages[1].subject, `Re: ${subject}`);
    assert.match(thread.messages[1].text, /Noon works\./);

    // A function-tool action created over the automation API appears as a tool.
    const toolName = unique("lookup").replace("-", "_");
    const created = await fetch(new URL("/api/Actions", url), {
      method: "POST",
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        name: toolName, description: "Looks a customer up.", actionType: "ApiCall", isFunctionTool: true, overrideApiBaseUrl: "https://crm.example",
        apiEndpoint: "/customers", functionParametersSchema: JSON.stringify({ type: "object", properties: { email: { type: "string" } } }),
      }),
    });
    assert.equal(created.status, 201, await created.text());
    const after = (await client.listTools()).tools.find((t) => t.name === toolName);
    assert.ok(after, `tools/list lacks the new action ${toolName}`);
    assert.equal(after.inputSchema.properties.email.type, "string");

    const bad = await client.callTool({ name: "get_inbox", arguments: {} });
    assert.equal(bad.isError, true);
    assert.match(bad.content[0].text, /inbox_id/);
  } finally {
    await client.close();
  }
});
