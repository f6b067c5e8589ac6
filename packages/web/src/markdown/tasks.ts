import type { MarkdownIt } from 'markdown-it';

const TASK = /^\[([ xX])\][ \u00a0]+/;

/**
 * GitHub-style task lists: a list item starting `[ ] ` or `[x] ` shows a checkbox, ticked or
 * not. Read-only (disabled): a message is its sender's text, and a tick by a reader would change
 * nobody's copy. The checkbox and the item's text sit in one <label>, which names the box for
 * assistive technology. A core rule after inline parsing, so code spans keep `[ ]` as typed.
 */
export const taskListPlugin = (md: MarkdownIt): void => {
  md.core.ruler.after('inline', 'task_lists', (state) => {
    const tokens = state.tokens;
    for (let i = 2; i < tokens.length; i++) {
      const inline = tokens[i]!;
      if (inline.type !== 'inline' || tokens[i - 1]!.type !== 'paragraph_open' || tokens[i - 2]!.type !== 'list_item_open') continue;
      const first = inline.children?.[0];
      const m = first?.type === 'text' ? TASK.exec(first.content) : null;
      if (!first || !m || !inline.children) continue;
      first.content = first.content.slice(m[0].length);
      const box = new state.Token('task_checkbox', 'input', 0);
      box.meta = { checked: m[1] !== ' ' };
      const open = new state.Token('task_label_open', 'label', 1);
      const close = new state.Token('task_label_close', 'label', -1);
      inline.children = [open, box, ...inline.children, close];
      tokens[i - 2]!.attrJoin('class', 'task-item');
    }
  });
  md.renderer.rules.task_checkbox = (tokens, idx) => `<input type="checkbox" class="task-box" disabled${(tokens[idx]!.meta as { checked: boolean }).checked ? ' checked' : ''}> `;
  md.renderer.rules.task_label_open = () => '<label class="task-label">';
  md.renderer.rules.task_label_close = () => '</label>';
};
