import MarkdownIt from 'markdown-it';
import { expect, test } from 'vitest';
import { taskListPlugin } from './tasks';

// The plugin on its own parser (render.ts adds sanitising, which needs a DOM).
const md = new MarkdownIt('default', { html: false }).use(taskListPlugin);

test('`- [ ]` and `- [x]` items render as disabled checkboxes, ticked or not, labelled by their text', () => {
  const html = md.render('- [ ] write tests\n- [x] ship it\n- plain item\n');
  expect(html).toContain('<li class="task-item"><label class="task-label"><input type="checkbox" class="task-box" disabled> write tests</label></li>');
  expect(html).toContain('<li class="task-item"><label class="task-label"><input type="checkbox" class="task-box" disabled checked> ship it</label></li>');
  expect(html).toContain('<li>plain item</li>');
});

test('an uppercase X ticks too, and inline Markdown in the item still renders', () => {
  expect(md.render('* [X] **done** now\n')).toContain('disabled checked> <strong>done</strong> now</label>');
});

test('brackets elsewhere stay as typed: in a paragraph, in code, without the space', () => {
  expect(md.render('[ ] not a list\n')).not.toContain('checkbox');
  expect(md.render('- `[ ]` code\n')).not.toContain('checkbox');
  expect(md.render('- [x]nospace\n')).not.toContain('checkbox');
  expect(md.render('```\n- [ ] in a fence\n```\n')).not.toContain('checkbox');
});
