// Exact-cache replays seen through the official SDK clients' own stream helpers (openai-node
// ChatCompletionStream and ResponseStream, @anthropic-ai/sdk MessageStream): each answer shape of the
// loopback upstream (tests/proxy/LoopbackShapes.h) is asked streamed (a miss), streamed again (a hit: the
// stored answer replayed as SSE) and as JSON (a hit). Env: PROXY_URL, API_KEY. Prints one JSON object;
// ProxySdkTest::replaysThroughTheOfficialClients compares the three.
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const base = process.env.PROXY_URL;
const apiKey = process.env.API_KEY;
const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0, timeout: 20000 });
const anthropic = new Anthropic({ baseURL: base, apiKey, maxRetries: 0, timeout: 20000 });
const out = {};

async function step(name, fn) {
  try { out[name] = await fn(); } catch (e) { out[name] = { error: String(e) }; }
}

const chatMessage = (m) => ({ content: m.content ?? null, refusal: m.refusal ?? null, annotations: m.annotations ?? null,
                              tool_calls: m.tool_calls?.map(({ id, type, function: f }) => ({ id, type, name: f.name, arguments: f.arguments })) ?? null });

for (const shape of ['chat-refusal', 'chat-annotations', 'chat-tools']) {
  const messages = [{ role: 'user', content: `loopback-shape:${shape}` }];
  for (const pass of ['miss', 'hit']) {
    await step(`${shape} stream ${pass}`, async () => {
      const stream = openai.chat.completions.stream({ model: 'gpt-4o', messages });
      let refusalStreamed = false; // refusal.delta events came (how many is the model's business)
      stream.on('refusal.delta', () => { refusalStreamed = true; });
      const final = await stream.finalChatCompletion();
      return { message: chatMessage(final.choices[0].message), finish: final.choices[0].finish_reason, refusalStreamed };
    });
  }
  await step(`${shape} json hit`, async () => {
    const r = await openai.chat.completions.create({ model: 'gpt-4o', messages });
    return { message: chatMessage(r.choices[0].message), finish: r.choices[0].finish_reason };
  });
}

for (const shape of ['anthropic-citations', 'anthropic-web-search']) {
  const params = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: `loopback-shape:${shape}` }] };
  for (const pass of ['miss', 'hit']) {
    await step(`${shape} stream ${pass}`, async () => {
      const final = await anthropic.messages.stream(params).finalMessage();
      return { content: final.content, stop: final.stop_reason };
    });
  }
  await step(`${shape} json hit`, async () => {
    const r = await anthropic.messages.create(params);
    return { content: r.content, stop: r.stop_reason };
  });
}

for (const shape of ['responses-function-call', 'responses-text-annotations']) {
  const params = { model: 'gpt-5', input: `loopback-shape:${shape}` };
  for (const pass of ['miss', 'hit']) {
    await step(`${shape} stream ${pass}`, async () => {
      const stream = openai.responses.stream(params);
      const types = [];
      let snapshot = null; // what the SDK's accumulator built from the deltas, before response.completed
      stream.on('event', (e) => { if (types[types.length - 1] !== e.type) types.push(e.type); });
      stream.on('response.output_text.delta', (e) => { snapshot = e.snapshot; });
      stream.on('response.function_call_arguments.delta', (e) => { snapshot = e.snapshot; });
      const final = await stream.finalResponse();
      return { output: final.output, types, snapshot };
    });
  }
  await step(`${shape} json hit`, async () => {
    const r = await openai.responses.create(params);
    return { output: r.output };
  });
}
console.log(JSON.stringify(out));
