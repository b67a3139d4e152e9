export { uwsgi } from './uwsgi.js';
export { iniPathOf, listenOf, resolveUwsgiOptions, unitOf, type IniValue, type ResolvedUwsgiOptions, type UwsgiOptions } from './uwsgi-options.js';
export { reloadHandlerName, restartHandlerName, uwsgiIni, uwsgiPackages, uwsgiReload, uwsgiService, uwsgiStart, uwsgiTryReload, uwsgiTryRestart } from './uwsgi-tasks.js';
export { renderIni, renderServiceUnit, wsgiModule } from './render.js';
