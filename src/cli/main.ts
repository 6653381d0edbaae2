#!/usr/bin/env node
// The om-import command: this file starts it on a thread of its own, and is that thread (see command-thread.ts).
import { isMainThread, workerData } from 'node:worker_threads';
import { runCommand, startCommandThread, type CommandThreadData } from './command-thread.js';

if (isMainThread) startCommandThread(new URL(import.meta.url));
else await runCommand(workerData as CommandThreadData);
