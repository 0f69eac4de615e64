/** The version of @celeriac/core, stamped in by the build (tsup `define`); `0.0.0-dev` when run from source. */
declare const __CELERIAC_VERSION__: string | undefined;

export const VERSION: string = typeof __CELERIAC_VERSION__ === 'string' && __CELERIAC_VERSION__ !== '' ? __CELERIAC_VERSION__ : '0.0.0-dev';
