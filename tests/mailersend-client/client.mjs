// Drives Mailroom's /mailersend/v1 dialect with the official mailersend package (3.4.0), unchanged: its EmailModule
// takes a base URL, and its .identity is the identities module. The C# test (MailerSendClientTests) runs the phases,
// reads the confirmation mail in between, and checks what each call answered. Output: one JSON object on stdout.
//   node client.mjs identities   (env MAILERSEND_BASE_URL, MAILERSEND_API_KEY, DOMAIN_ID, EMAIL, SECOND_EMAIL)
//   node client.mjs send         (env ... IDENTITY_ID, EMAIL, TO)
import { createRequire } from "node:module";
import { EmailParams, Sender, Recipient, Attachment, Identity } from "mailersend";

const require = createRequire(import.meta.url);
const { EmailModule } = require("mailersend/lib/modules/Email.module.js");

const env = (name) => process.env[name] ?? (() => { throw new Error(`${name} is not set`); })();
const email = new EmailModule(env("MAILERSEND_API_KEY"), env("MAILERSEND_BASE_URL"));

// The client resolves with {statusCode, headers, body} and rejects with the same shape on 4xx/5xx.
async function call(name, promise) {
  try {
    const { statusCode, headers, body } = await promise;
    return { call: name, status: statusCode, headers, body };
  } catch (e) {
    if (e && typeof e.statusCode === "number") return { call: name, status: e.statusCode, headers: e.headers, body: e.body };
    throw e;
  }
}

async function identities() {
  const results = [];
  const first = new Identity(env("DOMAIN_ID"), env("EMAIL"), "Pedro Doe", "Hi Pedro, please confirm.", "Test Doe", "reply@test.example", true);
  const created = await call("create", email.identity.create(first));
  results.push(created);
  const id = created.body?.data?.id;
  results.push(await call("create_second", email.identity.create(new Identity(env("DOMAIN_ID"), env("SECOND_EMAIL"), "Second Sender"))));
  results.push(await call("list", email.identity.list({ domain_id: env("DOMAIN_ID"), page: 1, limit: 10 })));
  results.push(await call("single", email.identity.single(id)));
  results.push(await call("singleByEmail", email.identity.singleByEmail(env("EMAIL"))));
  results.push(await call("update", email.identity.update(id, { name: "Pedro Updated", reply_to_name: "Desk" })));
  results.push(await call("updateByEMail", email.identity.updateByEMail(env("SECOND_EMAIL"), { name: "Second Renamed" })));
  results.push(await call("resend", email.identity.resend(id)));
  results.push(await call("deleteByEmail", email.identity.deleteByEmail(env("SECOND_EMAIL"))));
  results.push(await call("singleByEmail_deleted", email.identity.singleByEmail(env("SECOND_EMAIL"))));
  return { id, results };
}

async function send() {
  const results = [];
  const params = new EmailParams()
    .setFrom(new Sender(env("EMAIL"), "Pedro From Client"))
    .setTo([new Recipient(env("TO"), "Rita Remote")])
    .setReplyTo(new Recipient("desk@test.example", "Desk"))
    .setSubject("Hello from the mailersend client")
    .setText("Sent by the official client.")
    .setHtml("<p>Sent by the <b>official</b> client.</p>")
    .setAttachments([new Attachment(Buffer.from("attached words").toString("base64"), "words.txt", "attachment")])
    .setTags(["client"]);
  results.push(await call("send", email.send(params)));
  results.push(await call("delete", email.identity.delete(env("IDENTITY_ID"))));
  results.push(await call("single_deleted", email.identity.single(env("IDENTITY_ID"))));
  return { results };
}

const phases = { identities, send };
const phase = phases[process.argv[2]];
if (!phase) {
  console.error(`usage: node client.mjs ${Object.keys(phases).join("|")}`);
  process.exit(2);
}
console.log(JSON.stringify(await phase()));
