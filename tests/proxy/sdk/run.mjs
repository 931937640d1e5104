// Drives the TokenLedger proxy with the official SDK clients (npm "openai" and "@anthropic-ai/sdk").
// Env: PROXY_URL (http://127.0.0.1:PORT), API_KEY. Prints one JSON object with what each call saw;
// ProxySdkTest checks it against the fixtures and the ledger.
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const base = process.env.PROXY_URL;
const apiKey = process.env.API_KEY;
const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0, timeout: 20000,
  defaultHeaders: { 'X-TokenLedger-Endpoint': 'sdk-test' } });
const anthropic = new Anthropic({ baseURL: base, apiKey, maxRetries: 0, timeout: 20000,
  defaultHeaders: { 'X-TokenLedger-Endpoint': 'sdk-test' } });
const out = {};
const messages = [{ role: 'user', content: 'Summarise the doc' }];

async function step(name, fn) {
  try { out[name] = await fn(); } catch (e) { out[name] = { error: String(e), status: e?.status ?? null }; }
}

await step('chat', async () => {
  const { data, response } = await openai.chat.completions.create({ model: 'gpt-4o', messages }).withResponse();
  return { content: data.choices[0].message.content, usage: data.usage, cache: response.headers.get('x-tokenledger-cache'),
           cost: response.headers.get('x-tokenledger-cost-usd'), recordId: response.headers.get('x-tokenledger-record-id') };
});
await step('chatCached', async () => {
  const { data, response } = await openai.chat.completions.create({ model: 'gpt-4o', messages }).withResponse();
  return { content: data.choices[0].message.content, cache: response.headers.get('x-tokenledger-cache') };
});
await step('chatStream', async () => {
  const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
  let text = ''; let chunks = 0; let sawUsage = false;
  for await (const c of stream) { chunks++; text += c.choices[0]?.delta?.content ?? ''; if (c.usage) sawUsage = true; }
  return { text, chunks, sawUsage };
});
await step('chatStreamUsage', async () => {
  const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi again' }],
    stream: true, stream_options: { include_usage: true } });
  let usage = null; let text = '';
  for await (const c of stream) { text += c.choices[0]?.delta?.content ?? ''; if (c.usage) usage = c.usage; }
  return { text, usage };
});
await step('chatStreamFromCache', async () => {
  // Same request as 'chat' but streamed: served from the cache as SSE.
  const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
  let text = '';
  for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
  return { text };
});
await step('chatError', async () => {
  await openai.chat.completions.create({ model: 'rate-limited', messages });
  return { error: 'no error thrown' };
});
await step('responses', async () => {
  const r = await openai.responses.create({ model: 'gpt-5', input: 'Write a haiku' });
  return { text: r.output_text, usage: r.usage };
});
await step('responsesStream', async () => {
  // Raw event iteration: fixture c2 is abridged (no output_item.added), which the SDK's
  // accumulating helper (responses.stream) would reject; the proxy passes the events unchanged.
  const stream = await openai.responses.create({ model: 'gpt-5', input: 'Write a haiku, streamed', stream: true });
  let final = null; const types = [];
  for await (const ev of stream) { types.push(ev.type); if (ev.type === 'response.completed') final = ev.response; }
  return { usage: final?.usage ?? null, status: final?.status ?? null, types };
});
await step('messages', async () => {
  const { data, response } = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024,
    messages: [{ role: 'user', content: 'Plan the migration' }] }).withResponse();
  return { text: data.content[0].text, usage: data.usage, cache: response.headers.get('x-tokenledger-cache') };
});
await step('messagesStream', async () => {
  const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 1024,
    messages: [{ role: 'user', content: 'Plan the migration, streamed' }] });
  const final = await stream.finalMessage();
  return { text: final.content[0].text, usage: final.usage };
});
await step('messagesStreamFromCache', async () => {
  // Same as 'messages' but streamed: the cached JSON answer replayed as Anthropic SSE.
  const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 1024,
    messages: [{ role: 'user', content: 'Plan the migration' }] });
  const final = await stream.finalMessage();
  return { text: final.content[0].text, usage: final.usage, stop: final.stop_reason };
});
await step('messagesError', async () => {
  await anthropic.messages.create({ model: 'never', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
  return { error: 'no error thrown' };
});
await step('tooLarge', async () => {
  // A body over the proxy's limit (ProxySdkTest sets 1 MiB): the SDK must see the 413, not a connection error.
  await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(20 * 1024 * 1024) }] });
  return { error: 'no error thrown' };
});
// Clients with the placeholder key "tokenledger": the proxy sends the key it keeps in the keychain. The
// Anthropic SDK's models.list() must reach the Anthropic upstream (with the Anthropic key), not OpenAI's.
const openaiStored = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'tokenledger', maxRetries: 0, timeout: 20000,
  defaultHeaders: { 'X-TokenLedger-Endpoint': 'sdk-test' } });
const anthropicStored = new Anthropic({ baseURL: base, apiKey: 'tokenledger', maxRetries: 0, timeout: 20000,
  defaultHeaders: { 'X-TokenLedger-Endpoint': 'sdk-test' } });
await step('storedKeyChat', async () => {
  const r = await openaiStored.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'stored key' }] });
  return { content: r.choices[0].message.content };
});
await step('storedKeyAnthropicModels', async () => {
  const page = await anthropicStored.models.list();
  return { count: page.data.length };
});
console.log(JSON.stringify(out));
