import type { MouseEvent } from 'react';
import './code-blocks.css';

/**
 * A header over each fenced code block of a rendered message: its language (when the fence
 * named one) and a Copy button. Built with DOM calls beside the sanitised HTML, after it is in
 * the page (like highlighting), with the language taken from the sanitised `data-lang` and set
 * as text; the button's click is handled by the message body's React handler (`copyCodeClick`),
 * so no inline script or style is needed under the CSP.
 */
export function decorateCodeBlocks(root: HTMLElement, labels: { copy: string }): void {
  for (const pre of root.querySelectorAll<HTMLElement>('pre.code')) {
    const head = pre.previousElementSibling;
    if (head instanceof HTMLElement && head.classList.contains('code-head')) {
      // The language changed: the button says so in the new one (its text is its name).
      const button = head.querySelector<HTMLButtonElement>('button[data-code-copy]');
      if (button && button.dataset.copied === undefined) button.textContent = labels.copy;
      continue;
    }
    const bar = document.createElement('div');
    bar.className = 'code-head';
    const lang = pre.dataset.lang ?? (pre.classList.contains('code-diff') ? 'diff' : '');
    if (lang) {
      const label = document.createElement('span');
      label.className = 'code-lang';
      label.dataset.testid = 'code-lang';
      label.textContent = lang;
      bar.appendChild(label);
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'code-copy';
    button.dataset.testid = 'code-copy';
    button.dataset.codeCopy = '';
    button.textContent = labels.copy;
    bar.appendChild(button);
    pre.before(bar);
  }
}

/** The message body's click handler: a Copy button copies its block's text, and says so a moment. */
export function copyCodeClick(e: MouseEvent<HTMLElement>, labels: { copy: string; copied: string }): void {
  const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-code-copy]');
  const pre = button?.parentElement?.nextElementSibling;
  if (!button || !(pre instanceof HTMLElement)) return;
  e.preventDefault();
  e.stopPropagation();
  const text = pre.querySelector('code')?.textContent ?? pre.textContent ?? '';
  void navigator.clipboard
    ?.writeText(text)
    .then(() => {
      button.textContent = labels.copied;
      button.dataset.copied = 'true';
      setTimeout(() => {
        button.textContent = labels.copy;
        delete button.dataset.copied;
      }, 1500);
    })
    .catch(() => undefined);
}
