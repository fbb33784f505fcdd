#!/usr/bin/env node
'use strict';
// The CLI is TypeScript run through tsx, so there is no build step between a change and `packyard`.
require('tsx/cjs');
require('../main.ts').main();
