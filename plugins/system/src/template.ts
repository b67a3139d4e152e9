/** `file.template`: a file rendered from a template with `{{ placeholders }}`, then written like `file`. */
import { defineTask, type TaskType } from '@runbook/core';
import { applyContent, planContent, sha256, type ContentSpec, type ContentState } from './content.js';
import { DIFF_LIMIT, fileFact, type FileState } from './file-fact.js';
import { contentSpec, validateAttributes, type FileAttributes } from './file.js';
import { fail, requireObject } from './options.js';
import { renderTemplate } from './render-template.js';

export interface TemplateOptions extends FileAttributes {
  /**
   * Template text: `{{ name }}`, `{{ a.b }}`, `{{ name | default: 8000 }}` (quoted defaults allowed).
   * A placeholder without a value and without a default is an error before anything runs.
   * @example 'bind = {{ bind | default: "127.0.0.1:8000" }}\nworkers = {{ workers }}\n'
   */
  template: string;
  /**
   * Values for the placeholders. A `Secret` renders its real value and makes the file sensitive.
   * @default {}
   * @example { workers: 4, db: { password: secret('…') } }
   */
  vars?: Record<string, unknown>;
}

const specOf = (o: TemplateOptions): ContentSpec => {
  const { text, usedSecret } = renderTemplate(o.template, o.vars);
  return contentSpec(o, Buffer.from(text), usedSecret);
};

export const templateType: TaskType<TemplateOptions, { file: FileState }, ContentState> = {
  name: 'file.template',
  describe: (o) => o.path,
  validate(o) {
    requireObject('template', o);
    validateAttributes(o);
    if (typeof o.template !== 'string') fail('template', 'the template text (a string)', o.template);
    if (o.vars !== undefined && (o.vars === null || typeof o.vars !== 'object')) fail('vars', 'an object', o.vars);
    renderTemplate(o.template, o.vars); // a missing placeholder fails here, before anything connects
  },
  facts: (o) => {
    // the old content is only needed for a diff: not when the file already matches, never when sensitive
    const spec = specOf(o);
    return { file: fileFact(o.path, spec.sensitive ? 0 : DIFF_LIMIT, sha256(spec.content)) };
  },
  check: (facts, o) => planContent(facts.file, specOf(o)),
  apply: (plan, o) => applyContent(plan.state!, specOf(o)),
  touches: (o) => [`path:${o.path}`],
};

/**
 * A file rendered from a template.
 * @example template({ path: '/etc/myapp/gunicorn.conf.py', template: 'workers = {{ workers }}\n', vars: { workers: 4 } })
 */
export const template = defineTask(templateType);
