/** Grows a textarea with its content up to its CSS max-height, then it scrolls. */
export function autoGrow(el: HTMLTextAreaElement): void {
  el.style.height = 'auto';
  el.style.height = `${el.scrollHeight}px`;
}
