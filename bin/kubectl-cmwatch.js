#!/usr/bin/env node
// The kubectl plugin: `kubectl cmwatch …` runs this with the arguments as typed.
import { run } from '../dist/bundle/entry.js';

await run(process.argv, 'kubectl cmwatch');
