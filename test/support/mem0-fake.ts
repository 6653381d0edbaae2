import { mem0Handlers, mem0SelfHostedHandlers, type Mem0FakeOptions, type Mem0SelfHostedOptions } from '../fakes/mem0/mem0-handlers.js';
import type { Mem0Account } from '../fakes/mem0/mem0-account.js';
import { serveHandlers, type ServedHandlers } from '../fakes/serve-handlers.js';

export async function startMem0Fake(account: Mem0Account, options: Mem0FakeOptions = {}): Promise<ServedHandlers> {
  return serveHandlers(mem0Handlers(account, options));
}

export async function startMem0SelfHostedFake(account: Mem0Account, options: Mem0SelfHostedOptions = {}): Promise<ServedHandlers> {
  return serveHandlers(mem0SelfHostedHandlers(account, options));
}
