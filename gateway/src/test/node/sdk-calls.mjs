// Calls the gateway with the official OpenAI Node SDK, unmodified, and prints what it got as one
// JSON line. The SDK reads OPENAI_BASE_URL and OPENAI_API_KEY.
// Usage: node sdk-calls.mjs <call> <model> [max_tokens (chat-error)]
import OpenAI from 'openai';

const client = new OpenAI({ maxRetries: 0, timeout: 30_000 });
const [call, model] = process.argv.slice(2);
const out = { call };

if (call === 'embeddings') {
  const { data, response } = await client.embeddings
    .create({ model, input: ['Hello from the Node SDK', 'and a second input'] })
    .withResponse();
  out.requestId = response.headers.get('x-request-id');
  out.count = data.data.length;
  out.dimensions = data.data[0].embedding.length;
  out.finite = data.data.every((d) => d.embedding.every((v) => Number.isFinite(v)));
  out.usage = data.usage;
} else if (call === 'responses') {
  const { data, response } = await client.responses
    .create({ model, input: 'Say hello from the Node SDK.' })
    .withResponse();
  out.requestId = response.headers.get('x-request-id');
  out.status = data.status;
  out.text = data.output_text;
  out.usage = data.usage;
} else if (call === 'responses-stream') {
  const { data: stream, response } = await client.responses
    .create({ model, input: 'Stream a hello from the Node SDK.', stream: true })
    .withResponse();
  out.requestId = response.headers.get('x-request-id');
  out.types = [];
  out.text = '';
  for await (const event of stream) {
    out.types.push(event.type);
    if (event.type === 'response.output_text.delta') out.text += event.delta;
    if (event.type === 'response.completed') out.usage = event.response.usage;
  }
} else if (call === 'chat-error') {
  // With the SDK's default retries: which refusals it retries is what is being checked.
  const retrying = new OpenAI({ timeout: 30_000 });
  try {
    await retrying.chat.completions.create({
      model,
      max_tokens: Number(process.argv[4]),
      messages: [{ role: 'user', content: 'Tell me a long story.' }],
    });
    out.ok = true;
  } catch (e) {
    out.error = e.constructor.name;
    out.rateLimitError = e instanceof OpenAI.RateLimitError;
    out.status = e.status;
    out.code = e.code;
    out.type = e.type;
  }
} else {
  throw new Error(`unknown call ${call}`);
}
console.log(JSON.stringify(out));
