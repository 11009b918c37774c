import '@testing-library/jest-dom/vitest';
import { afterEach } from 'vitest';
import { cleanup, configure } from '@testing-library/react';

// findBy…/waitFor wait for a state and return as soon as it is there; this is only when they give
// up. Testing Library's default of one second is shorter than antd's first render of a whole page
// takes on a loaded two-core CI machine (PipelineBoard and MarkdownEditor timed out there while
// passing alone), so a slow machine failed tests that were right.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  localStorage.clear();
});

// antd's responsive helpers need matchMedia, which jsdom lacks.
if (!window.matchMedia) {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string) => ({
      // a desktop-sized window: every min-width breakpoint matches
      matches: /min-width/.test(query),
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }),
  });
}
if (!('ResizeObserver' in window)) {
  class RO {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  Object.defineProperty(window, 'ResizeObserver', { writable: true, value: RO });
}
// jsdom does not implement getComputedStyle for pseudo elements; antd asks for scrollbar sizes.
const gcs = window.getComputedStyle.bind(window);
window.getComputedStyle = (el: Element, pseudo?: string | null) => gcs(el, pseudo ? undefined : pseudo);
