export { uwsgi } from './uwsgi.js';
export { iniPathOf, listenOf, resolveUwsgiOptions, unitOf, type IniValue, type ResolvedUwsgiOptions, type UwsgiOptions } from './uwsgi-options.js';
export { reloadHandlerName, uwsgiIni, uwsgiPackages, uwsgiReload, uwsgiService, uwsgiTryReload } from './uwsgi-tasks.js';
export { renderIni, renderServiceUnit, wsgiModule } from './render.js';
