export { apt, aptType, type AptOptions } from './apt.js';
export { group, groupType, type GroupOptions } from './group.js';
export { user, userType, type UserOptions } from './user.js';
export { directory, directoryType, type DirectoryOptions } from './directory.js';
export { file, fileType, type FileOptions, type FileAttributes } from './file.js';
export { template, templateType, type TemplateOptions } from './template.js';
export { renderTemplate } from './render-template.js';
export { symlink, symlinkType, type SymlinkOptions } from './symlink.js';
export { line, lineType, type LineOptions } from './line.js';
export { systemdUnit, systemdUnitType, type SystemdUnitOptions } from './systemd-unit.js';
export { command, commandType, type CommandOptions } from './command.js';
export { git, gitType, type GitOptions } from './git.js';
export { download, downloadType, type DownloadOptions } from './download.js';
export { unifiedDiff } from './diff.js';
export { fileFact, type FileState } from './file-fact.js';
export { atomicWrite, type AtomicWrite } from './atomic-write.js';
export { restartUnitsScript, startOnceReleased, tryRestartUnit } from './unit-commands.js';
export {
  absolutePath, accountName, fail, normalizeMode, oneOf, optionalAccount, optionalBoolean, optionalId, optionalString,
  optionChecks, requireString, type OptionChecks,
} from './options.js';
