/**
 * The dashboard's browser script (inlined in the page; plain ES2017, no dependencies): the five
 * parts in one function scope. It polls the router's JSON API every two seconds and builds the
 * DOM with `textContent` and `setAttribute` only (never `innerHTML`), so task names, arguments,
 * results, tracebacks and dead-lettered bodies cannot inject markup.
 */
import { CLIENT_CORE } from './client-core.js';
import { CLIENT_DETAIL } from './client-detail.js';
import { CLIENT_QUEUES } from './client-queues.js';
import { CLIENT_TASKS } from './client-tasks.js';
import { CLIENT_WORKERS } from './client-workers.js';

export const DASHBOARD_SCRIPT = `(function () {\n  'use strict';\n${CLIENT_CORE}${CLIENT_TASKS}${CLIENT_DETAIL}${CLIENT_WORKERS}${CLIENT_QUEUES}})();\n`;
