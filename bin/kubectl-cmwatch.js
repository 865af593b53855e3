#!/usr/bin/env node
// The kubectl plugin: `kubectl cmwatch …` runs this with the arguments as typed.
import { main } from '../dist/src/cli/main.js';

await main(process.argv, 'kubectl cmwatch');
